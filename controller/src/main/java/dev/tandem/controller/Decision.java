package dev.tandem.controller;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One decision of the controller for one domain, with the votes it was made from: what the
 * decision log records and {@code /metrics} counts.
 *
 * @param active the cloud active when the decision was made
 * @param target the cloud switched to (or that would have been); null when there is none
 * @param explanation one sentence a person on call can read
 */
public record Decision(Instant at, String domain, Outcome outcome, Reason reason, String active,
    String target, String explanation, List<Ballot> votes) {

  /** What the controller does. */
  public enum Outcome {
    /** No observer asks for a switch that could be made. */
    STAY,
    /** Switch now: the quorum agrees and every safety rule allows it. */
    SWITCH,
    /** The switch was made and reported. */
    SWITCHED,
    /** The switch was attempted and the traffic switch failed; nothing changed. */
    SWITCH_FAILED,
    /** Some observers ask for a switch, and a rule refuses it. */
    REFUSED,
    /**
     * The traffic switch reports another active cloud than the controller's view (a switch that
     * landed after it was counted as failed, or an operator's); the controller took it as a switch.
     */
    RECONCILED
  }

  /** Why; a small closed set, used as a metric label. */
  public enum Reason {
    /** No observer recommends FAILOVER from the active cloud. */
    NO_FAILOVER_VOTES,
    /** Fewer than the quorum recommend FAILOVER from the active cloud. */
    BELOW_QUORUM,
    /** The quorum recommends FAILOVER and every rule allows it. */
    QUORUM,
    /** An observer recommends HOLD: switching is unsafe in its view. */
    HOLD_VETO,
    /** The gating switch is closed. */
    GATE_CLOSED,
    /** The domain switched less than the anti-flap period ago. */
    ANTI_FLAP,
    /** No configured cloud other than the active one can take over (the domain must never be left without one). */
    NO_SAFE_TARGET,
    /** The traffic switch reported an error. */
    SWITCH_ERROR,
    /** The traffic switch reports another cloud active than the one the controller made active. */
    TRAFFIC_SWITCH_DIFFERS
  }

  public Decision {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(active, "active");
    Objects.requireNonNull(explanation, "explanation");
    votes = List.copyOf(votes);
    if ((outcome == Outcome.SWITCH || outcome == Outcome.SWITCHED || outcome == Outcome.RECONCILED)
        && (target == null || target.equals(active))) {
      throw new IllegalArgumentException("a switch needs a target other than the active cloud");
    }
  }

  /** The same decision after the switch was carried out, or failed. */
  public Decision executed(boolean ok, String detail) {
    if (outcome != Outcome.SWITCH) {
      throw new IllegalStateException("only a SWITCH decision is executed, this one is " + outcome);
    }
    return ok
        ? new Decision(at, domain, Outcome.SWITCHED, reason, active, target, explanation, votes)
        : new Decision(at, domain, Outcome.SWITCH_FAILED, Reason.SWITCH_ERROR, active, target,
            explanation + " The switch failed: " + detail, votes);
  }

  /** Whether this decision says the same as {@code other} (time aside): the log skips repeats. */
  public boolean sameAs(Decision other) {
    return other != null && domain.equals(other.domain) && outcome == other.outcome && reason == other.reason
        && active.equals(other.active) && Objects.equals(target, other.target)
        && votes.stream().map(Ballot::vote).toList().equals(other.votes.stream().map(Ballot::vote).toList());
  }
}
