package dev.tandem.engine.verdict;

import java.util.List;
import java.util.Objects;

/**
 * How one cloud of a failover domain stands. The readiness fields are set for the standby only.
 *
 * @param role {@code active} or {@code standby}
 * @param ready standby only: healthy, its journeys pass and its replication lag is within the RPO
 * @param rule the row of the classifier's table that named the fault ({@code cloud-wide},
 *     {@code component}, ...); null when not known
 * @param confirmingSince when the cloud-wide failure now being confirmed began; null otherwise
 * @param failoverPossibleAt when the hold-down of that failure ends, if it persists; null otherwise
 * @param notReady standby only: why it is not ready, one readable reason each; empty when ready
 */
public record CloudAssessment(String role, Health health, Fault fault, List<Evidence> evidence,
    Boolean ready, Double replicationLagSeconds, Long rpoSeconds, String rule,
    java.time.Instant confirmingSince, java.time.Instant failoverPossibleAt, List<String> notReady) {

  public static final String ACTIVE = "active";
  public static final String STANDBY = "standby";

  public CloudAssessment {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(fault, "fault");
    evidence = List.copyOf(evidence);
    notReady = notReady == null ? List.of() : List.copyOf(notReady);
  }

  public CloudAssessment(String role, Health health, Fault fault, List<Evidence> evidence,
      Boolean ready, Double replicationLagSeconds, Long rpoSeconds, String rule,
      java.time.Instant confirmingSince, java.time.Instant failoverPossibleAt) {
    this(role, health, fault, evidence, ready, replicationLagSeconds, rpoSeconds, rule, confirmingSince,
        failoverPossibleAt, List.of());
  }

  public CloudAssessment(String role, Health health, Fault fault, List<Evidence> evidence,
      Boolean ready, Double replicationLagSeconds, Long rpoSeconds) {
    this(role, health, fault, evidence, ready, replicationLagSeconds, rpoSeconds, null, null, null, List.of());
  }

  public boolean isStandby() {
    return STANDBY.equals(role);
  }
}
