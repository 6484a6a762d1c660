package dev.tandem.controller.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One outage of a domain as the controller saw it: when an observer first saw the active cloud in
 * trouble, when the controller switched, the replication lag the voters reported for the new
 * active at that moment (the data at risk: RPO), and when a quorum first saw the new active
 * healthy (its journeys passing: the recovery, RTO).
 */
public record Recovery(String domain, Instant troubleSeen, Instant switchedAt, String from, String to,
    Double lagAtSwitchSeconds, Instant recoveredAt) {

  public Recovery {
    java.util.Objects.requireNonNull(domain, "domain");
    java.util.Objects.requireNonNull(troubleSeen, "troubleSeen");
    if (switchedAt == null && (from != null || to != null || lagAtSwitchSeconds != null || recoveredAt != null)) {
      throw new IllegalArgumentException("an outage with no switch has no clouds, lag or recovery");
    }
    if (switchedAt != null && (from == null || to == null || from.equals(to))) {
      throw new IllegalArgumentException("a switch names two different clouds, got " + from + " -> " + to);
    }
    if (lagAtSwitchSeconds != null && (lagAtSwitchSeconds.isNaN() || lagAtSwitchSeconds < 0)) {
      throw new IllegalArgumentException("the lag at the switch must be a non-negative number, got "
          + lagAtSwitchSeconds);
    }
  }

  /** From the first sighting of trouble to the switch. */
  public Optional<Duration> timeToSwitch() {
    return switchedAt == null ? Optional.empty() : Optional.of(Duration.between(troubleSeen, switchedAt));
  }

  /** From the first sighting of trouble to a quorum seeing the new active healthy. */
  public Optional<Duration> timeToRecover() {
    return recoveredAt == null ? Optional.empty() : Optional.of(Duration.between(troubleSeen, recoveredAt));
  }

  Recovery switched(Instant at, String fromCloud, String toCloud, Double lag) {
    return new Recovery(domain, troubleSeen, at, fromCloud, toCloud, lag, null);
  }

  Recovery recovered(Instant at) {
    return new Recovery(domain, troubleSeen, switchedAt, from, to, lagAtSwitchSeconds, at);
  }
}
