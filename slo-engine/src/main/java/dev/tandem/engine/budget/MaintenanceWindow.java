package dev.tandem.engine.budget;

import java.time.Instant;
import java.util.Objects;

/**
 * A period whose events do not consume error budget (planned maintenance). {@code slo} and
 * {@code cloud} null mean every SLO or every cloud.
 */
public record MaintenanceWindow(String id, String slo, String cloud, Instant start, Instant end,
    String reason) {
  public MaintenanceWindow {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (!end.isAfter(start)) {
      throw new IllegalArgumentException("maintenance " + id + ": end must be after start");
    }
    reason = reason == null ? "" : reason;
  }

  boolean covers(String sloName, String cloudId, Instant at) {
    return (slo == null || slo.equals(sloName)) && (cloud == null || cloud.equals(cloudId))
        && !at.isBefore(start) && at.isBefore(end);
  }
}
