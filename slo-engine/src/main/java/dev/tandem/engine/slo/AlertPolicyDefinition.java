package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.util.List;
import java.util.Objects;

/**
 * An OpenSLO {@code AlertPolicy}, standing alone or inside an SLO: one condition and at least one
 * notification target, each written in place or referenced.
 */
public record AlertPolicyDefinition(OpenSloMetadata metadata, String description,
    boolean alertWhenNoData, boolean alertWhenBreaching, boolean alertWhenResolved,
    List<OpenSloLink<AlertConditionDefinition>> conditions,
    List<OpenSloLink<NotificationTargetDefinition>> notificationTargets, SourceLocation at) {

  public AlertPolicyDefinition {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(at, "at");
    conditions = List.copyOf(conditions);
    notificationTargets = List.copyOf(notificationTargets);
    if (conditions.size() != 1) {
      throw new IllegalArgumentException("an alert policy has exactly one condition");
    }
    if (notificationTargets.isEmpty()) {
      throw new IllegalArgumentException("an alert policy needs a notification target");
    }
  }

  public String name() {
    return metadata.name();
  }
}
