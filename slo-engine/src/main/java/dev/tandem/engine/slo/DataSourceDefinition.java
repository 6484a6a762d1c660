package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.util.Objects;

/**
 * An OpenSLO {@code DataSource}: a metric system and how to connect to it. Tandem reads it so that
 * a {@code metricSourceRef} without a {@code type} gets the DataSource's type; it never connects.
 *
 * @param connectionDetails a plain tree of maps, lists and scalars, as written
 */
public record DataSourceDefinition(OpenSloMetadata metadata, String description, String type,
    Object connectionDetails, SourceLocation at) {
  public DataSourceDefinition {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(at, "at");
  }

  public String name() {
    return metadata.name();
  }
}
