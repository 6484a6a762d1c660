package dev.tandem.sim;

import java.util.Arrays;
import java.util.Optional;

/** A telemetry signal a cloud exports over OTLP, and that a fault can silence. */
public enum TelemetrySignal {
  TRACES("traces"),
  METRICS("metrics");

  private final String wireName;

  TelemetrySignal(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in fault plans: {@code traces} or {@code metrics}. */
  public String wireName() {
    return wireName;
  }

  /** Finds a signal by its wire name. */
  public static Optional<TelemetrySignal> byWireName(String name) {
    return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
  }
}
