package dev.tandem.collectors;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One receiver's self-metrics: plain counters that only ever grow, cheap to bump from any thread.
 * The server binds them to its meter registry; nothing here knows a metrics framework.
 */
public final class ReceiverStats {

  private final LongAdder requestsAccepted = new LongAdder();
  private final Map<Integer, LongAdder> requestsRejected = new ConcurrentHashMap<>();
  private final LongAdder bytesReceived = new LongAdder();
  private final LongAdder spansAccepted = new LongAdder();
  private final LongAdder spansRejected = new LongAdder();
  private final LongAdder duplicateSpans = new LongAdder();
  private final LongAdder probeSpans = new LongAdder();
  private final LongAdder duplicatePoints = new LongAdder();
  private final LongAdder attributeValuesCollapsed = new LongAdder();
  private final LongAdder pointsAccepted = new LongAdder();
  private final LongAdder pointsRejected = new LongAdder();
  private final LongAdder observationsEmitted = new LongAdder();
  private final LongAdder sinkFailures = new LongAdder();

  ReceiverStats() {}

  /** Requests answered 200 (gRPC OK), partial successes included. */
  public long requestsAccepted() {
    return requestsAccepted.sum();
  }

  /** Requests answered with {@code status} (4xx or 5xx). */
  public long requestsRejected(int status) {
    LongAdder adder = requestsRejected.get(status);
    return adder == null ? 0 : adder.sum();
  }

  /**
   * Rejected requests by HTTP status, both transports (a gRPC answer is counted under the HTTP
   * status of the same meaning: UNAUTHENTICATED 401, INVALID_ARGUMENT 400, RESOURCE_EXHAUSTED
   * 413, UNAVAILABLE 429). The keys come from the small closed set this receiver answers with
   * (400, 401, 404, 405, 413, 415, 429, 500, 503), so they are safe as a metric tag.
   */
  public Map<Integer, Long> requestsRejectedByStatus() {
    Map<Integer, Long> copy = new TreeMap<>();
    requestsRejected.forEach((status, adder) -> copy.put(status, adder.sum()));
    return copy;
  }

  /** Request body bytes as they came over the wire (compressed, if they were). */
  public long bytesReceived() {
    return bytesReceived.sum();
  }

  /** Spans in accepted requests, duplicates included, rejected ones not. */
  public long spansAccepted() {
    return spansAccepted.sum();
  }

  /** Spans reported back as rejected in {@code partial_success} (invalid trace or span id). */
  public long spansRejected() {
    return spansRejected.sum();
  }

  /** Server spans that had been counted already (client retries, or the other path). */
  public long duplicateSpans() {
    return duplicateSpans.sum();
  }

  /** Requests shed at the path's queue bound (429, gRPC UNAVAILABLE): the client retries them. */
  public long requestsShed() {
    return requestsRejected(429);
  }

  /** Probe step spans turned into probe observations (first copies only). */
  public long probeSpans() {
    return probeSpans.sum();
  }

  /** Delta histogram points that had been counted already (client retries, or the other path). */
  public long duplicatePoints() {
    return duplicatePoints.sum();
  }

  /**
   * Label values (cloud, service, operation) collapsed into {@code _other} because their
   * attribute had too many values.
   */
  public long attributeValuesCollapsed() {
    return attributeValuesCollapsed.sum();
  }

  /** Metric data points in accepted requests, of every metric type. */
  public long pointsAccepted() {
    return pointsAccepted.sum();
  }

  /** Data points reported back as rejected in {@code partial_success}. */
  public long pointsRejected() {
    return pointsRejected.sum();
  }

  /** Observations handed to the sink. */
  public long observationsEmitted() {
    return observationsEmitted.sum();
  }

  /** Observations lost because the sink threw, which its contract forbids. */
  public long sinkFailures() {
    return sinkFailures.sum();
  }

  void accepted(long bytes) {
    requestsAccepted.increment();
    bytesReceived.add(bytes);
  }

  void rejected(int status, long bytes) {
    requestsRejected.computeIfAbsent(status, s -> new LongAdder()).increment();
    bytesReceived.add(bytes);
  }

  void spans(long accepted, long rejected, long duplicates) {
    spansAccepted.add(accepted);
    spansRejected.add(rejected);
    duplicateSpans.add(duplicates);
  }

  void probes(long first) {
    probeSpans.add(first);
  }

  void duplicatePoints(long n) {
    duplicatePoints.add(n);
  }

  LongAdder collapsedCounter() {
    return attributeValuesCollapsed;
  }

  void points(long accepted, long rejected) {
    pointsAccepted.add(accepted);
    pointsRejected.add(rejected);
  }

  void emitted() {
    observationsEmitted.increment();
  }

  void sinkFailed() {
    sinkFailures.increment();
  }

  @Override
  public String toString() {
    return "ReceiverStats[accepted=" + requestsAccepted() + ", rejected=" + requestsRejectedByStatus()
        + ", bytes=" + bytesReceived() + ", spans=" + spansAccepted() + ", spansRejected=" + spansRejected()
        + ", duplicates=" + duplicateSpans() + ", probes=" + probeSpans() + ", points=" + pointsAccepted()
        + ", duplicatePoints=" + duplicatePoints() + ", collapsed=" + attributeValuesCollapsed()
        + ", pointsRejected=" + pointsRejected() + ", emitted=" + observationsEmitted()
        + ", sinkFailures=" + sinkFailures() + "]";
  }
}
