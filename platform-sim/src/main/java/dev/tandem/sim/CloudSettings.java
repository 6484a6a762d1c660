package dev.tandem.sim;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One simulated cloud.
 *
 * @param id the cloud id, e.g. {@code primary}; lowercase letters, digits and dashes
 * @param region reported as {@code cloud.region}
 * @param port the HTTP port of the platform API; 0 picks a free one
 * @param otlpEndpoint the base URL of this cloud's OTLP/HTTP receiver, e.g. {@code
 *     http://127.0.0.1:4318}, to which {@code /v1/traces} and {@code /v1/metrics} are appended;
 *     {@code null} exports nothing
 * @param alsoExportTo more OTLP/HTTP receivers that get the same telemetry (several observers,
 *     each with its own telemetry paths); empty by default
 */
public record CloudSettings(String id, String region, int port, String otlpEndpoint, List<String> alsoExportTo) {
  /** A cloud that exports to one receiver (or none, with {@code null}). */
  public CloudSettings(String id, String region, int port, String otlpEndpoint) {
    this(id, region, port, otlpEndpoint, List.of());
  }

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  public CloudSettings {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(region, "region");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "cloud id '" + id + "': use lowercase letters, digits and dashes (at most 63)");
    }
    if (region.isBlank()) {
      throw new IllegalArgumentException("cloud " + id + ": region must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("cloud " + id + ": port must be 0-65535, got " + port);
    }
    otlpEndpoint = otlpEndpoint == null ? null : checkedEndpoint(id, otlpEndpoint);
    List<String> more = new ArrayList<>();
    for (String e : Objects.requireNonNull(alsoExportTo, "alsoExportTo")) {
      more.add(checkedEndpoint(id, Objects.requireNonNull(e, "alsoExportTo entry")));
    }
    alsoExportTo = List.copyOf(more);
  }

  /** Every receiver this cloud's telemetry goes to: {@code otlpEndpoint} first, then {@code alsoExportTo}. */
  public List<String> otlpEndpoints() {
    List<String> all = new ArrayList<>();
    if (otlpEndpoint != null) {
      all.add(otlpEndpoint);
    }
    all.addAll(alsoExportTo);
    return all;
  }

  private static String checkedEndpoint(String id, String otlpEndpoint) {
    {
      URI uri;
      try {
        uri = URI.create(otlpEndpoint);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "cloud " + id + ": otlpEndpoint '" + otlpEndpoint + "' is not a URL", e);
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "cloud " + id + ": otlpEndpoint '" + otlpEndpoint + "' must be an http(s) URL");
      }
      return otlpEndpoint.endsWith("/")
          ? otlpEndpoint.substring(0, otlpEndpoint.length() - 1)
          : otlpEndpoint;
    }
  }
}
