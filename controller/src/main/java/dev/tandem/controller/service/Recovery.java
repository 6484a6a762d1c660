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
