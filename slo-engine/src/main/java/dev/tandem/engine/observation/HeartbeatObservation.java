package dev.tandem.engine.observation;

import java.time.Instant;

/** Telemetry arrived over {@code path}, which carries {@code cloud}'s telemetry. */
public record HeartbeatObservation(Instant ts, String path, String cloud) implements Observation {

  public static final String TYPE = "heartbeat";

  public HeartbeatObservation {
    Observation.ts(ts);
    Observation.id(path, "path");
    Observation.id(cloud, "cloud");
  }

  @Override
  public String type() {
    return TYPE;
  }
}
