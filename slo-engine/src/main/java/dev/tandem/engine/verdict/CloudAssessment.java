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
 */
public record CloudAssessment(String role, Health health, Fault fault, List<Evidence> evidence,
    Boolean ready, Double replicationLagSeconds, Long rpoSeconds, String rule,
    java.time.Instant confirmingSince, java.time.Instant failoverPossibleAt) {

  public static final String ACTIVE = "active";
  public static final String STANDBY = "standby";

  public CloudAssessment {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(fault, "fault");
    evidence = List.copyOf(evidence);
  }

  public CloudAssessment(String role, Health health, Fault fault, List<Evidence> evidence,
      Boolean ready, Double replicationLagSeconds, Long rpoSeconds) {
    this(role, health, fault, evidence, ready, replicationLagSeconds, rpoSeconds, null, null, null);
  }

  public boolean isStandby() {
    return STANDBY.equals(role);
  }
}
