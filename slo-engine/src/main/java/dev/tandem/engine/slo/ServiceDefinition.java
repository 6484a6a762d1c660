package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.util.Objects;

/** An OpenSLO {@code Service}: a name and a description that SLOs' {@code service} may name. */
public record ServiceDefinition(OpenSloMetadata metadata, String description, SourceLocation at) {
  public ServiceDefinition {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(at, "at");
  }

  public String name() {
    return metadata.name();
  }
}
