package dev.tandem.controller;

import java.util.List;
import java.util.Objects;

/**
 * A failover domain as the controller knows it: the clouds that may serve it, and which one does
 * when the controller starts.
 */
public record DomainPolicy(String id, List<String> clouds, String active) {
  public DomainPolicy {
    Objects.requireNonNull(id, "id");
    clouds = List.copyOf(clouds);
    Objects.requireNonNull(active, "active");
    if (id.isBlank()) {
      throw new IllegalArgumentException("domain id must not be blank");
    }
    if (clouds.size() < 2 || clouds.stream().distinct().count() != clouds.size()) {
      throw new IllegalArgumentException("domain " + id + ": needs at least two distinct clouds, got " + clouds);
    }
    if (!clouds.contains(active)) {
      throw new IllegalArgumentException("domain " + id + ": active cloud " + active + " is not one of " + clouds);
    }
  }
}
