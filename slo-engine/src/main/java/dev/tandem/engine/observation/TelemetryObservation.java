package dev.tandem.engine.observation;

import java.time.Instant;

/**
 * Tandem's extension of the observation log: an aggregate of the server-side telemetry that one
 * OTLP request carried for one service and operation ({@code good} of {@code total} requests;
 * good means no server error). The engine's SLO selectors turn these into SLIs.
 *
 * @param source {@code span} or {@code histogram}: what the aggregate was counted from
 */
public record TelemetryObservation(Instant ts, String path, String cloud, String service,
    String operation, String source, long good, long total) implements Observation {

  public static final String TYPE = "telemetry";

  public TelemetryObservation {
    Observation.ts(ts);
    Observation.id(path, "path");
    Observation.id(cloud, "cloud");
    Observation.id(service, "service");
    Observation.id(operation, "operation");
    Observation.id(source, "source");
    if (good < 0 || total < 0 || good > total) {
      throw new IllegalArgumentException("need 0 <= good <= total, got " + good + "/" + total);
    }
  }

  @Override
  public String type() {
    return TYPE;
  }
}
