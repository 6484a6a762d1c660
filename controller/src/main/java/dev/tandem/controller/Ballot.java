package dev.tandem.controller;

import java.time.Instant;
import java.util.Objects;

/**
 * One observer's vote as counted, with the clouds its verdict names and a note on why it counts
 * the way it does (for the decision log).
 */
public record Ballot(String observer, Vote vote, String active, String target, String note) {
  public Ballot {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(vote, "vote");
    note = note == null ? "" : note;
  }

  /**
   * Counts a reading for {@code domain} at {@code now}: a verdict past its {@code validUntil},
   * about another domain, stamped with another observer's id, unreachable or unparsable is
   * {@link Vote#UNKNOWN}, never FAILOVER.
   */
  static Ballot count(ObserverReading reading, String domain, Instant now) {
    if (reading.verdict().isEmpty()) {
      return new Ballot(reading.observer(), Vote.UNKNOWN, null, null, reading.problem());
    }
    ObservedVerdict v = reading.verdict().get();
    // Two config entries that reach the same observer (another URL, a proxy, a copy-paste) must
    // not give that one view two votes: a verdict counts only for the observer that stamped it.
    if (!v.observer().equals(reading.observer())) {
      return new Ballot(reading.observer(), Vote.UNKNOWN, null, null,
          "answered as observer '" + v.observer() + "', not '" + reading.observer() + "'");
    }
    if (!v.domain().equals(domain)) {
      return new Ballot(reading.observer(), Vote.UNKNOWN, null, null, "answered for domain " + v.domain());
    }
    if (now.isAfter(v.validUntil())) {
      return new Ballot(reading.observer(), Vote.UNKNOWN, v.active(), v.standby(),
          "stale: valid until " + v.validUntil());
    }
    Vote vote;
    switch (v.recommendation()) {
      case "STAY":
        vote = Vote.STAY;
        break;
      case "FAILOVER":
        vote = Vote.FAILOVER;
        break;
      case "HOLD":
        vote = Vote.HOLD;
        break;
      default:
        return new Ballot(reading.observer(), Vote.UNKNOWN, v.active(), v.standby(),
            "unknown recommendation '" + v.recommendation() + "'");
    }
    if (v.active() == null) {
      return new Ballot(reading.observer(), Vote.UNKNOWN, null, v.standby(), "the verdict names no active cloud");
    }
    return new Ballot(reading.observer(), vote, v.active(), v.standby(), v.reason());
  }

  /** {@code obs-eu: FAILOVER (primary -> secondary)}, for explanations. */
  String brief() {
    String clouds = vote == Vote.FAILOVER ? " (" + active + " -> " + target + ")"
        : vote == Vote.UNKNOWN ? " (" + note + ")" : "";
    return observer + ": " + vote + clouds;
  }
}
