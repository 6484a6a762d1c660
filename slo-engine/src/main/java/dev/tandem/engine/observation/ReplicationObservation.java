package dev.tandem.engine.observation;

import java.time.Instant;

/** The replication lag that {@code cloud} (usually the standby) reports for a failover domain. */
public record ReplicationObservation(Instant ts, String domain, String cloud, double lagSeconds)
    implements Observation {

  public static final String TYPE = "replication";

  public ReplicationObservation {
    Observation.ts(ts);
    Observation.id(domain, "domain");
    Observation.id(cloud, "cloud");
    if (!(lagSeconds >= 0) || Double.isInfinite(lagSeconds)) {
      throw new IllegalArgumentException("lagSeconds must be a finite number >= 0, got " + lagSeconds);
    }
  }

  @Override
  public String type() {
    return TYPE;
  }
}
