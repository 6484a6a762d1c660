package dev.tandem.engine.slo;

import java.util.List;
import java.util.Objects;

/**
 * An alert policy of an SLO with its references followed: the condition and the notification
 * targets, whether written in place or referenced. Dangling references are left out (they are
 * problems of {@link OpenSloCatalog#read}).
 */
public record SloAlertPolicy(AlertPolicyDefinition policy, List<AlertConditionDefinition> conditions,
    List<NotificationTargetDefinition> notificationTargets) {
  public SloAlertPolicy {
    Objects.requireNonNull(policy, "policy");
    conditions = List.copyOf(conditions);
    notificationTargets = List.copyOf(notificationTargets);
  }
}
