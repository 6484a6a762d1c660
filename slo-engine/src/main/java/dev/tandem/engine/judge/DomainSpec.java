package dev.tandem.engine.judge;

import java.util.List;
import java.util.Objects;

/** A failover domain: what a failover controller switches between two clouds. */
public record DomainSpec(String id, String active, String standby, long rpoSeconds,
    String replicationLagMetric, List<String> journeys, List<String> slos) {
  public DomainSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(active, "active");
    Objects.requireNonNull(standby, "standby");
    if (active.equals(standby)) {
      throw new IllegalArgumentException("domain " + id + ": active and standby must differ");
    }
    if (rpoSeconds < 0) {
      throw new IllegalArgumentException("domain " + id + ": rpoSeconds must be >= 0");
    }
    journeys = List.copyOf(journeys);
    slos = List.copyOf(slos);
  }
}
