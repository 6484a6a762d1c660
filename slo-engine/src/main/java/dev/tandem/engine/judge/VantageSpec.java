package dev.tandem.engine.judge;

import java.util.Objects;

/**
 * A place probes run from. Two vantages are independent when their provider or region differs:
 * they do not share the network or the cloud that could fail them both.
 */
public record VantageSpec(String id, String provider, String region) {
  public VantageSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(provider, "provider");
    region = region == null ? "" : region;
  }

  /** The failure domain of this vantage: vantages with the same key are not independent. */
  String independenceKey() {
    return provider + "/" + region;
  }
}
