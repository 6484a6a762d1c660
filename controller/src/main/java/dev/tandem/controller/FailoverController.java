package dev.tandem.controller;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The decision core of the reference failover controller: pure logic, no I/O, time from an
 * injected {@link Clock}.
 *
 * <p>A domain is switched only when at least {@code quorum} observers recommend FAILOVER from the
 * cloud the controller knows as active, and every safety rule (after Route 53 ARC) allows it:
 *
 * <ol>
 *   <li>a HOLD from any observer blocks the switch (switching is unsafe in its view);
 *   <li>a closed gating switch blocks every switch;
 *   <li>no switch within the anti-flap period after the previous one;
 *   <li>the domain is never left without an active cloud: the target is a configured cloud other
 *       than the active one, named consistently by the voters, and the switch is one atomic change
 *       of the active cloud.
 * </ol>
 *
 * An unreachable, unparsable or stale verdict is {@link Vote#UNKNOWN} and never a FAILOVER vote.
 * The caller carries out a {@link Decision.Outcome#SWITCH} and then calls {@link #switched}; until
 * it does, the controller's view of the active cloud does not change.
 *
 * <p>Thread-safe.
 */
public final class FailoverController {
  private final FailoverPolicy policy;
  private final Clock clock;
  private final Map<String, DomainPolicy> domains = new LinkedHashMap<>();
  private final Map<String, String> active = new LinkedHashMap<>();
  private final Map<String, Instant> lastSwitch = new LinkedHashMap<>();

  private FailoverController(FailoverPolicy policy, Clock clock) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    for (DomainPolicy d : policy.domains()) {
      domains.put(d.id(), d);
      active.put(d.id(), d.active());
    }
  }

  /**
   * A controller for {@code policy}, each domain starting from its configured active cloud and
   * never switched; {@code clock} gives every decision its time and drives the anti-flap period.
   */
  public static FailoverController create(FailoverPolicy policy, Clock clock) {
    return new FailoverController(policy, clock);
  }

  /** The rules this controller applies. */
  public FailoverPolicy policy() {
    return policy;
  }

  /** The cloud the controller last made (or found) active for {@code domain}. */
  public synchronized String active(String domain) {
    return active.get(domain(domain).id());
  }

  /** When the controller last switched {@code domain}; null if never. */
  public synchronized Instant lastSwitch(String domain) {
    return lastSwitch.get(domain(domain).id());
  }

  /** Decides for {@code domain} from one reading per observer (missing observers count as UNKNOWN). */
  public synchronized Decision decide(String domain, List<ObserverReading> readings, Gate gate) {
    DomainPolicy d = domain(domain);
    Instant now = clock.instant();
    String current = active.get(d.id());
    List<Ballot> votes = tally(d.id(), readings, now);

    List<Ballot> failover = new ArrayList<>();
    List<Ballot> staleActive = new ArrayList<>();
    List<Ballot> holds = new ArrayList<>();
    for (Ballot b : votes) {
      if (b.vote() == Vote.FAILOVER && current.equals(b.active())) {
        failover.add(b);
      } else if (b.vote() == Vote.FAILOVER) {
        staleActive.add(b);
      } else if (b.vote() == Vote.HOLD) {
        holds.add(b);
      }
    }
    String summary = votes.stream().map(Ballot::brief).collect(Collectors.joining(", "));
    if (failover.isEmpty() && staleActive.isEmpty()) {
      return new Decision(now, d.id(), Decision.Outcome.STAY, Decision.Reason.NO_FAILOVER_VOTES, current, null,
          "Stay on " + current + ": no observer recommends a failover (" + summary + ").", votes);
    }
    if (failover.size() < policy.quorum()) {
      String stale = staleActive.isEmpty() ? "" : " " + names(staleActive) + " still name "
          + staleActive.get(0).active() + " as active, which it is not since the controller's switch to " + current
          + "; those votes do not count.";
      return new Decision(now, d.id(), Decision.Outcome.REFUSED, Decision.Reason.BELOW_QUORUM, current,
          null, "No switch: " + failover.size() + " of " + votes.size() + " observers recommend FAILOVER from "
              + current + (failover.isEmpty() ? "" : " (" + names(failover) + ")") + ", the quorum is "
              + policy.quorum() + "." + stale + " Votes: " + summary + ".", votes);
    }
    String target = target(d, current, failover);
    if (!holds.isEmpty()) {
      return new Decision(now, d.id(), Decision.Outcome.REFUSED, Decision.Reason.HOLD_VETO, current, target,
          "No switch: " + names(holds) + " recommend" + (holds.size() == 1 ? "s" : "") + " HOLD (switching is unsafe"
              + " in their view: " + holds.get(0).note() + "). Votes: " + summary + ".", votes);
    }
    if (gate.closed()) {
      return new Decision(now, d.id(), Decision.Outcome.REFUSED, Decision.Reason.GATE_CLOSED, current, target,
          "No switch: the gating switch is closed (" + gate.why() + "); " + failover.size()
              + " observers recommend FAILOVER from " + current + ".", votes);
    }
    Instant last = lastSwitch.get(d.id());
    if (last != null && Duration.between(last, now).compareTo(policy.antiFlap()) < 0) {
      long left = policy.antiFlap().minus(Duration.between(last, now)).toSeconds();
      return new Decision(now, d.id(), Decision.Outcome.REFUSED, Decision.Reason.ANTI_FLAP, current, target,
          "No switch: " + d.id() + " switched to " + current + " only " + Duration.between(last, now).toSeconds()
              + " s ago; no further switch during the anti-flap period (" + left + " s left).", votes);
    }
    if (target == null) {
      Set<String> named = new LinkedHashSet<>();
      failover.forEach(b -> named.add(String.valueOf(b.target())));
      return new Decision(now, d.id(), Decision.Outcome.REFUSED, Decision.Reason.NO_SAFE_TARGET, current, null,
          "No switch: the voters name " + named + " to take over from " + current + ", and that is not one"
              + " configured cloud other than " + current + " (configured: " + d.clouds()
              + "); the domain must never be left without an active cloud.", votes);
    }
    return new Decision(now, d.id(), Decision.Outcome.SWITCH, Decision.Reason.QUORUM, current, target,
        "Switch " + d.id() + " from " + current + " to " + target + ": " + failover.size() + " of " + votes.size()
            + " observers (" + names(failover) + ") recommend FAILOVER, the quorum is " + policy.quorum()
            + "; no HOLD, the gate is open, outside the anti-flap period.", votes);
  }

  /**
   * Records that the switch of {@code domain} to {@code cloud} was made; starts the anti-flap
   * period. A switch to the cloud already active changes nothing.
   */
  public synchronized void switched(String domain, String cloud) {
    DomainPolicy d = domain(domain);
    if (!d.clouds().contains(cloud)) {
      throw new IllegalArgumentException("cloud " + cloud + " is not configured for domain " + domain);
    }
    if (!cloud.equals(active.put(d.id(), cloud))) {
      lastSwitch.put(d.id(), clock.instant());
    }
  }

  /**
   * Restores when {@code domain} was last switched, as a previous run of the controller recorded
   * it, so a restart does not reopen the anti-flap period. An instant after now counts as now; an
   * instant before the one already known changes nothing.
   */
  public synchronized void restoreLastSwitch(String domain, Instant at) {
    DomainPolicy d = domain(domain);
    Instant now = clock.instant();
    Instant bounded = at.isAfter(now) ? now : at;
    lastSwitch.merge(d.id(), bounded, (known, restored) -> restored.isAfter(known) ? restored : known);
  }

  /**
   * Takes {@code cloud}, which the traffic switch reports active now, as the active cloud of
   * {@code domain} when the controller's view differs: a switch that landed after it was counted
   * as failed, or one an operator made by hand. It counts as a switch (the anti-flap period starts)
   * because traffic did move. Empty when the view already agrees.
   *
   * @param why what made the controller ask (for the decision log)
   */
  public synchronized java.util.Optional<Decision> reconcile(String domain, String cloud, String why) {
    DomainPolicy d = domain(domain);
    if (!d.clouds().contains(cloud)) {
      throw new IllegalArgumentException("cloud " + cloud + " is not configured for domain " + domain);
    }
    String current = active.get(d.id());
    if (current.equals(cloud)) {
      return java.util.Optional.empty();
    }
    switched(d.id(), cloud);
    return java.util.Optional.of(new Decision(clock.instant(), d.id(), Decision.Outcome.RECONCILED,
        Decision.Reason.TRAFFIC_SWITCH_DIFFERS, current, cloud, "The traffic switch reports " + cloud + " active for "
            + d.id() + ", the controller had " + current + " (" + why + "); the controller takes " + cloud
            + " as active and counts it as a switch.", List.of()));
  }

  /**
   * Takes {@code cloud} as the active cloud without counting it as a switch (no anti-flap): what
   * the traffic switch reports at start-up.
   */
  public synchronized void adopt(String domain, String cloud) {
    DomainPolicy d = domain(domain);
    if (!d.clouds().contains(cloud)) {
      throw new IllegalArgumentException("cloud " + cloud + " is not configured for domain " + domain);
    }
    active.put(d.id(), cloud);
  }

  private List<Ballot> tally(String domain, List<ObserverReading> readings, Instant now) {
    Map<String, ObserverReading> byObserver = new LinkedHashMap<>();
    for (ObserverReading r : readings) {
      byObserver.put(r.observer(), r);
    }
    List<Ballot> out = new ArrayList<>();
    for (String observer : policy.observers()) {
      ObserverReading r = byObserver.get(observer);
      out.add(r == null ? new Ballot(observer, Vote.UNKNOWN, null, null, "no reading yet")
          : Ballot.count(r, domain, now));
    }
    return out;
  }

  /** The one cloud the voters name to take over, if it is configured and not the active one. */
  private static String target(DomainPolicy d, String current, List<Ballot> voters) {
    Set<String> named = new LinkedHashSet<>();
    for (Ballot b : voters) {
      if (b.target() != null) {
        named.add(b.target());
      }
    }
    if (named.isEmpty()) {
      List<String> others = d.clouds().stream().filter(c -> !c.equals(current)).toList();
      return others.size() == 1 ? others.get(0) : null;
    }
    if (named.size() != 1) {
      return null;
    }
    String t = named.iterator().next();
    return d.clouds().contains(t) && !t.equals(current) ? t : null;
  }

  private static String names(List<Ballot> ballots) {
    return ballots.stream().map(Ballot::observer).collect(Collectors.joining(", "));
  }

  private DomainPolicy domain(String id) {
    DomainPolicy d = domains.get(id);
    if (d == null) {
      throw new IllegalArgumentException("unknown domain '" + id + "', expected one of " + domains.keySet());
    }
    return d;
  }
}
