package dev.tandem.engine.observation;

import java.time.Instant;

/**
 * One fact that the engine judges from: a probe step's outcome, an SLI sample, a path heartbeat,
 * a replication lag reading or a telemetry aggregate; or a change that people and controllers
 * made through the API and that judging depends on: a reported switch of the active cloud, a
 * maintenance window added or removed. Each maps to one line of the observation log, whose
 * {@code type} is {@link #type()}.
 */
public sealed interface Observation
    permits ProbeObservation, SliObservation, HeartbeatObservation, ReplicationObservation,
        TelemetryObservation, SwitchObservation, MaintenanceObservation {

  Instant ts();

  /** The {@code type} field of the observation log. */
  String type();

  /** Rejects blank identifiers in records' compact constructors. */
  static String id(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    return value;
  }

  static Instant ts(Instant value) {
    if (value == null) {
      throw new IllegalArgumentException("ts must be set");
    }
    return value;
  }
}
