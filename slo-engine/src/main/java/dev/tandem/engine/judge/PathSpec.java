package dev.tandem.engine.judge;

import java.util.Objects;

/** A telemetry ingestion path and the cloud whose telemetry it carries. */
public record PathSpec(String id, String cloud) {
  public PathSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(cloud, "cloud");
  }
}
