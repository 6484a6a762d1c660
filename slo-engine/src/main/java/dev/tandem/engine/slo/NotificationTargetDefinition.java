package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.util.Objects;

/** An OpenSLO {@code AlertNotificationTarget}: where alerts go ({@code target}, free text). */
public record NotificationTargetDefinition(OpenSloMetadata metadata, String description,
    String target, SourceLocation at) {
  public NotificationTargetDefinition {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(at, "at");
  }

  public String name() {
    return metadata.name();
  }
}
