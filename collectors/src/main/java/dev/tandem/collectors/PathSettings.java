package dev.tandem.collectors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One telemetry path's OTLP receiver settings.
 *
 * @param id the path's id, stamped on its heartbeats and telemetry observations
 * @param cloud the cloud this path carries telemetry for, unless a resource says otherwise with
 *     its {@code tandem.cloud} attribute
 * @param host the address to listen on (both HTTP and gRPC)
 * @param httpPort the OTLP/HTTP port; 0 picks a free one
 * @param grpcPort the OTLP/gRPC port; 0 picks a free one, {@link #NO_GRPC} (-1) serves no gRPC
 * @param tokens bearer tokens, any of which is accepted; empty means no authentication
 * @param maxBodyBytes the largest request body (or gRPC message) accepted, counted after
 *     decompression
 * @param maxQueuedRequests how many requests this path holds at once between receiving and the
 *     end of translation; more are shed with 429 (gRPC UNAVAILABLE with RetryInfo)
 * @param maxQueuedBytes how many body bytes this path holds at once (same shedding)
 * @param replicationMetrics OTLP gauge name to the failover domains whose replication lag (in
 *     seconds) it reports
 */
public record PathSettings(String id, String cloud, String host, int httpPort, int grpcPort, List<String> tokens,
    int maxBodyBytes, int maxQueuedRequests, long maxQueuedBytes, Map<String, List<String>> replicationMetrics) {

  /** 4 MiB, the OpenTelemetry Collector's default for a request and gRPC's for a message. */
  public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

  /** A grpcPort that means: this path serves no OTLP/gRPC. */
  public static final int NO_GRPC = -1;

  /** Requests held per path: with two decode threads, enough to keep them busy through bursts. */
  public static final int DEFAULT_MAX_QUEUED_REQUESTS = 64;

  /** Body bytes held per path (32 MiB): bounds the receiver's memory under any flood. */
  public static final long DEFAULT_MAX_QUEUED_BYTES = 32L * 1024 * 1024;

  public PathSettings {
    requireText(id, "id");
    requireText(cloud, "cloud");
    requireText(host, "host");
    if (httpPort < 0 || httpPort > 65_535) {
      throw new IllegalArgumentException("path " + id + ": httpPort must be 0..65535, got " + httpPort);
    }
    if (grpcPort < NO_GRPC || grpcPort > 65_535) {
      throw new IllegalArgumentException("path " + id + ": grpcPort must be 0..65535 (or -1 for none), got " + grpcPort);
    }
    if (grpcPort > 0 && grpcPort == httpPort) {
      throw new IllegalArgumentException("path " + id + ": grpcPort and httpPort must differ, both are " + httpPort);
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
    if (maxQueuedRequests < 1) {
      throw new IllegalArgumentException("path " + id + ": maxQueuedRequests must be positive, got " + maxQueuedRequests);
    }
    if (maxQueuedBytes < maxBodyBytes) {
      throw new IllegalArgumentException("path " + id + ": maxQueuedBytes (" + maxQueuedBytes
          + ") must hold at least one body of maxBodyBytes (" + maxBodyBytes + ")");
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

  /** HTTP only, default queue bounds. */
  public PathSettings(String id, String cloud, String host, int httpPort, List<String> tokens,
      int maxBodyBytes, Map<String, List<String>> replicationMetrics) {
    this(id, cloud, host, httpPort, NO_GRPC, tokens, maxBodyBytes, DEFAULT_MAX_QUEUED_REQUESTS,
        Math.max(DEFAULT_MAX_QUEUED_BYTES, maxBodyBytes), replicationMetrics);
  }

  /** HTTP only, default body limit and queue bounds. */
  public PathSettings(String id, String cloud, String host, int httpPort, List<String> tokens,
      Map<String, List<String>> replicationMetrics) {
    this(id, cloud, host, httpPort, tokens, DEFAULT_MAX_BODY_BYTES, replicationMetrics);
  }

  /** The same settings, also serving OTLP/gRPC on {@code port} (0: a free one; -1: none). */
  public PathSettings withGrpcPort(int port) {
    return new PathSettings(id, cloud, host, httpPort, port, tokens, maxBodyBytes, maxQueuedRequests,
        maxQueuedBytes, replicationMetrics);
  }

  /** The same settings with other bounds on what the path holds between receiving and translating. */
  public PathSettings withQueueBounds(int requests, long bytes) {
    return new PathSettings(id, cloud, host, httpPort, grpcPort, tokens, maxBodyBytes, requests, bytes,
        replicationMetrics);
  }

  /** Never prints the tokens, only how many there are. */
  @Override
  public String toString() {
    return "PathSettings[id=" + id + ", cloud=" + cloud + ", host=" + host + ", httpPort=" + httpPort
        + ", grpcPort=" + grpcPort + ", tokens=" + tokens.size() + " redacted, maxBodyBytes=" + maxBodyBytes
        + ", maxQueuedRequests=" + maxQueuedRequests + ", maxQueuedBytes=" + maxQueuedBytes
        + ", replicationMetrics=" + replicationMetrics + "]";
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
  }
}
