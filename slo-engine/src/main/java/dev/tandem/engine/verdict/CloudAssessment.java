package dev.tandem.engine.verdict;

import java.util.List;
import java.util.Objects;

/**
 * How one cloud of a failover domain stands. The readiness fields are set for the standby only.
 *
 * @param role {@code active} or {@code standby}
 * @param ready standby only: healthy, its journeys pass and its replication lag is within the RPO
 */
public record CloudAssessment(String role, Health health, Fault fault, List<Evidence> evidence,
    Boolean ready, Double replicationLagSeconds, Long rpoSeconds) {

  public static final String ACTIVE = "active";
  public static final String STANDBY = "standby";

  public CloudAssessment {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(fault, "fault");
    evidence = List.copyOf(evidence);
  }

  public boolean isStandby() {
    return STANDBY.equals(role);
  }
}
