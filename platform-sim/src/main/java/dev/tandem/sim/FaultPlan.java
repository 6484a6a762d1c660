package dev.tandem.sim;

import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of the simulator's fault state: which cloud is active and the faults of each cloud.
 *
 * @param active the id of the active cloud
 * @param clouds the faults per cloud id, in configuration order
 */
public record FaultPlan(String active, Map<String, CloudFaults> clouds) {
  public FaultPlan {
    Objects.requireNonNull(active, "active");
    clouds = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(clouds));
    if (!clouds.containsKey(active)) {
      throw new IllegalArgumentException("active cloud '" + active + "' is not one of " + clouds.keySet());
    }
  }
}
