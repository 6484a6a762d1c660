package dev.tandem.collectors;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bounds the values that become labels of telemetry observations (cloud, service, operation),
 * so that a sender putting ids into span names or routes cannot grow the engine's memory or
 * Tandem's time series. The first values seen are kept; past the bound a value is collapsed
 * into {@link #OTHER} and counted. Values stay admitted until restart. Thread-safe; one per path.
 */
final class AttributeBounds {

  /** What a collapsed value becomes. */
  static final String OTHER = "_other";

  static final int MAX_CLOUDS = 16;
  static final int MAX_SERVICES = 500;
  static final int MAX_OPERATIONS_PER_SERVICE = 200;

  private final int maxClouds;
  private final int maxServices;
  private final int maxOperations;
  private final Set<String> clouds = new HashSet<>();
  private final Map<String, Set<String>> operations = new HashMap<>();
  private final LongAdder collapsed;

  AttributeBounds(LongAdder collapsed) {
    this(MAX_CLOUDS, MAX_SERVICES, MAX_OPERATIONS_PER_SERVICE, collapsed);
  }

  AttributeBounds(int maxClouds, int maxServices, int maxOperations, LongAdder collapsed) {
    this.maxClouds = maxClouds;
    this.maxServices = maxServices;
    this.maxOperations = maxOperations;
    this.collapsed = collapsed;
  }

  synchronized String cloud(String cloud) {
    return admit(clouds, maxClouds, cloud);
  }

  synchronized String service(String service) {
    if (operations.containsKey(service)) {
      return service;
    }
    if (operations.size() < maxServices) {
      operations.put(service, new HashSet<>());
      return service;
    }
    collapsed.increment();
    operations.computeIfAbsent(OTHER, k -> new HashSet<>());
    return OTHER;
  }

  /** @param service a value {@link #service} returned */
  synchronized String operation(String service, String operation) {
    return admit(operations.computeIfAbsent(service, k -> new HashSet<>()), maxOperations, operation);
  }

  private String admit(Set<String> seen, int max, String value) {
    if (seen.contains(value)) {
      return value;
    }
    if (seen.size() < max) {
      seen.add(value);
      return value;
    }
    collapsed.increment();
    return OTHER;
  }
}
