package dev.tandem.engine.observation;

import java.time.Instant;

/**
 * Tandem's extension of the observation log: an aggregate of the server-side telemetry that one
 * OTLP request carried for one service and operation ({@code good} of {@code total} requests;
 * good means no server error). The engine's SLO selectors turn these into SLIs.
 *
 * @param source {@code span} or {@code histogram}: what the aggregate was counted from
 * @param latency how many requests were at most as slow as each standard bound; null when the
 *     sender gave no latencies (latency SLIs then cannot count this aggregate)
 */
public record TelemetryObservation(Instant ts, String path, String cloud, String service,
    String operation, String source, long good, long total, LatencyCounts latency) implements Observation {

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
    if (latency != null && latency.atMost(LatencyCounts.BOUNDS_MS.length - 1) > total) {
      throw new IllegalArgumentException("more latency counts than requests");
    }
  }

  /** An aggregate without latencies. */
  public TelemetryObservation(Instant ts, String path, String cloud, String service, String operation,
      String source, long good, long total) {
    this(ts, path, cloud, service, operation, source, good, total, null);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
