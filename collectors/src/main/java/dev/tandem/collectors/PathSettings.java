package dev.tandem.collectors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One telemetry path's OTLP/HTTP receiver settings.
 *
 * @param id the path's id, stamped on its heartbeats and telemetry observations
 * @param cloud the cloud this path carries telemetry for, unless a resource says otherwise with
 *     its {@code tandem.cloud} attribute
 * @param host the address to listen on
 * @param httpPort the port to listen on; 0 picks a free one
 * @param tokens bearer tokens, any of which is accepted; empty means no authentication
 * @param maxBodyBytes the largest request body accepted, counted after decompression
 * @param replicationMetrics OTLP gauge name to the failover domains whose replication lag (in
 *     seconds) it reports
 */
public record PathSettings(String id, String cloud, String host, int httpPort, List<String> tokens,
    int maxBodyBytes, Map<String, List<String>> replicationMetrics) {

  /** 4 MiB, the OpenTelemetry Collector's default for a request. */
  public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

  public PathSettings {
    requireText(id, "id");
    requireText(cloud, "cloud");
    requireText(host, "host");
    if (httpPort < 0 || httpPort > 65_535) {
      throw new IllegalArgumentException("path " + id + ": httpPort must be 0..65535, got " + httpPort);
    }
    tokens = tokens == null ? List.of() : List.copyOf(tokens);
    for (String token : tokens) {
      if (token == null || token.isBlank()) {
        // A blank token from an unset ${env:...} would otherwise let anyone in with "Bearer ".
        throw new IllegalArgumentException("path " + id + ": tokens must not be blank");
      }
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("path " + id + ": maxBodyBytes must be positive, got " + maxBodyBytes);
    }
    Map<String, List<String>> metrics = new LinkedHashMap<>();
    if (replicationMetrics != null) {
      replicationMetrics.forEach((name, domains) -> {
        requireText(name, "replication metric name");
        if (domains == null || domains.isEmpty()) {
          throw new IllegalArgumentException("path " + id + ": replication metric " + name + " names no domain");
        }
        domains.forEach(d -> requireText(d, "replication domain"));
        metrics.put(name, List.copyOf(domains));
      });
    }
    replicationMetrics = Map.copyOf(metrics);
  }

  /** Settings with the default body limit. */
  public PathSettings(String id, String cloud, String host, int httpPort, List<String> tokens,
      Map<String, List<String>> replicationMetrics) {
    this(id, cloud, host, httpPort, tokens, DEFAULT_MAX_BODY_BYTES, replicationMetrics);
  }

  /** Never prints the tokens, only how many there are. */
  @Override
  public String toString() {
    return "PathSettings[id=" + id + ", cloud=" + cloud + ", host=" + host + ", httpPort=" + httpPort
        + ", tokens=" + tokens.size() + " redacted, maxBodyBytes=" + maxBodyBytes
        + ", replicationMetrics=" + replicationMetrics + "]";
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
  }
}
