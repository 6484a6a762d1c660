package dev.tandem.collectors;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.observation.LatencyCounts;
import dev.tandem.engine.observation.TelemetryObservation;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP requests to observations, for one path. Counts what it is given and reports nothing
 * about SLOs: which service or route matters is the engine's business. Thread-safe.
 */
final class OtlpTranslator {

  static final String HTTP_SERVER_DURATION = "http.server.request.duration";
  static final String SERVICE_NAME = "service.name";
  static final String CLOUD = "tandem.cloud";
  static final String ROUTE = "http.route";
  static final String STATUS_CODE = "http.response.status_code";
  static final String ERROR_TYPE = "error.type";
  static final String UNKNOWN_SERVICE = "unknown_service";
  static final String UNKNOWN = "unknown";
  static final long HEARTBEAT_INTERVAL_MILLIS = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(OtlpTranslator.class);
  private static final long NO_HEARTBEAT = Long.MIN_VALUE;

  private final PathSettings path;
  private final Clock clock;
  private final ObservationSink sink;
  private final SpanDeduplicator deduplicator;
  private final CumulativeSeries cumulative;
  private final ReceiverStats stats;
  private final AtomicLong lastHeartbeat = new AtomicLong(NO_HEARTBEAT);
  private final AtomicLong lastSinkFailureLog = new AtomicLong(NO_HEARTBEAT);
  private final AttributeBounds bounds;

  OtlpTranslator(PathSettings path, Clock clock, ObservationSink sink, SpanDeduplicator deduplicator,
      CumulativeSeries cumulative, ReceiverStats stats) {
    this(path, clock, sink, deduplicator, cumulative, stats, new AttributeBounds(stats.collapsedCounter()));
  }

  OtlpTranslator(PathSettings path, Clock clock, ObservationSink sink, SpanDeduplicator deduplicator,
      CumulativeSeries cumulative, ReceiverStats stats, AttributeBounds bounds) {
    this.path = path;
    this.clock = clock;
    this.sink = sink;
    this.deduplicator = deduplicator;
    this.cumulative = cumulative;
    this.stats = stats;
    this.bounds = bounds;
  }

  /** What the client is told about items it sent that were not used. */
  record Outcome(long rejected, String message) {
    static final Outcome ALL_ACCEPTED = new Outcome(0, "");
  }

  Outcome traces(ExportTraceServiceRequest request) {
    Instant now = clock.instant();
    long spans = 0;
    long rejected = 0;
    long badIds = 0;
    long duplicates = 0;
    long badProbes = 0;
    String probeProblem = null;
    List<ProbeObservation> probes = new ArrayList<>();
    Map<Operation, long[]> counts = new LinkedHashMap<>();
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      List<KeyValue> resource = resourceSpans.getResource().getAttributesList();
      String service = text(resource, SERVICE_NAME, UNKNOWN_SERVICE);
      String cloud = text(resource, CLOUD, path.cloud());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          spans++;
          if (!validIds(span)) {
            rejected++;
            badIds++;
            continue;
          }
          if (ProbeSpans.isProbe(span)) {
            // A synthetic probe step, sent over both paths: one observation, never telemetry.
            ProbeSpans.Parsed probe = ProbeSpans.parse(span);
            if (probe.observation() == null) {
              rejected++;
              badProbes++;
              if (probeProblem == null) {
                probeProblem = probe.problem();
              }
            } else if (deduplicator.firstSeen(span.getTraceId(), span.getSpanId())) {
              probes.add(probe.observation());
            } else {
              duplicates++;
            }
            continue;
          }
          if (span.getKind() != Span.SpanKind.SPAN_KIND_SERVER) {
            continue;
          }
          if (!deduplicator.firstSeen(span.getTraceId(), span.getSpanId())) {
            duplicates++;
            continue;
          }
          String name = span.getName().isBlank() ? UNKNOWN : span.getName();
          long[] goodTotal = counts.computeIfAbsent(new Operation(cloud, service, name), k -> newCounts());
          goodTotal[1]++;
          if (span.getStatus().getCode() != Status.StatusCode.STATUS_CODE_ERROR) {
            goodTotal[0]++;
          }
          if (span.getEndTimeUnixNano() >= span.getStartTimeUnixNano() && span.getStartTimeUnixNano() > 0) {
            latency(goodTotal, (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1e6);
          } else {
            goodTotal[NO_LATENCY]++;
          }
        }
      }
    }
    stats.spans(spans - rejected, rejected, duplicates);
    stats.probes(probes.size());
    if (spans > rejected) {
      heartbeat(now);
    }
    probes.forEach(this::emit);
    emitTelemetry(now, "span", counts);
    if (rejected == 0) {
      return Outcome.ALL_ACCEPTED;
    }
    List<String> reasons = new ArrayList<>(2);
    if (badIds > 0) {
      reasons.add(badIds + " spans without a valid 16-byte trace id and 8-byte span id");
    }
    if (badProbes > 0) {
      reasons.add(badProbes + " probe step spans (tandem.journey and tandem.step) unusable, e.g. " + probeProblem);
    }
    return new Outcome(rejected, String.join("; ", reasons));
  }

  Outcome metrics(ExportMetricsServiceRequest request) {
    Instant now = clock.instant();
    long points = 0;
    long rejected = 0;
    long[] duplicatePoints = new long[1];
    Map<Operation, long[]> counts = new LinkedHashMap<>();
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      List<KeyValue> resource = resourceMetrics.getResource().getAttributesList();
      String service = text(resource, SERVICE_NAME, UNKNOWN_SERVICE);
      String cloud = text(resource, CLOUD, path.cloud());
      ByteString resourceKey = null;
      for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
        for (Metric metric : scopeMetrics.getMetricsList()) {
          points += pointCount(metric);
          if (HTTP_SERVER_DURATION.equals(metric.getName())) {
            if (resourceKey == null) {
              resourceKey = attributesKey(resource);
            }
            rejected += httpDurations(metric, cloud, service, seriesPrefix(resourceKey, scopeMetrics.getScope()), counts,
                duplicatePoints);
          } else if (path.replicationMetrics().containsKey(metric.getName())) {
            rejected += replicationLag(metric, cloud, now);
          }
        }
      }
    }
    stats.points(points - rejected, rejected);
    stats.duplicatePoints(duplicatePoints[0]);
    if (points > rejected) {
      heartbeat(now);
    }
    emitTelemetry(now, "histogram", counts);
    return rejected == 0 ? Outcome.ALL_ACCEPTED
        : new Outcome(rejected, rejected + " data points without a usable temporality or value");
  }

  private long httpDurations(Metric metric, String cloud, String service, ByteString seriesPrefix,
      Map<Operation, long[]> counts, long[] duplicatePoints) {
    long rejected = 0;
    if (metric.hasHistogram()) {
      AggregationTemporality temporality = metric.getHistogram().getAggregationTemporality();
      for (HistogramDataPoint point : metric.getHistogram().getDataPointsList()) {
        rejected += countPoint(temporality, point.getFlags(), point.getAttributesList(), point.getStartTimeUnixNano(),
            point.getTimeUnixNano(), point.getCount(), cloud, service, seriesPrefix, counts, duplicatePoints,
            boundCounts(metric.getUnit(), point));
      }
    } else if (metric.hasExponentialHistogram()) {
      AggregationTemporality temporality = metric.getExponentialHistogram().getAggregationTemporality();
      for (ExponentialHistogramDataPoint point : metric.getExponentialHistogram().getDataPointsList()) {
        rejected += countPoint(temporality, point.getFlags(), point.getAttributesList(), point.getStartTimeUnixNano(),
            point.getTimeUnixNano(), point.getCount(), cloud, service, seriesPrefix, counts, duplicatePoints, null);
      }
    }
    return rejected;
  }

  /**
   * The point's cumulative counts at each standard latency bound, when its explicit bucket bounds
   * include all of them (OpenTelemetry's default for this metric does); else null. The unit is
   * seconds as the semantic conventions say, or milliseconds when the point says {@code ms}.
   */
  static long[] boundCounts(String unit, HistogramDataPoint point) {
    double scale = "ms".equals(unit) ? 1.0 : 1000.0;
    List<Double> bounds = point.getExplicitBoundsList();
    if (point.getBucketCountsCount() != bounds.size() + 1) {
      return null;
    }
    long[] out = new long[BOUNDS];
    int b = 0;
    long cumulative = 0;
    for (int i = 0; i < BOUNDS; i++) {
      double wanted = LatencyCounts.BOUNDS_MS[i];
      while (b < bounds.size() && bounds.get(b) * scale < wanted - 1e-9) {
        cumulative += point.getBucketCounts(b);
        b++;
      }
      if (b >= bounds.size() || Math.abs(bounds.get(b) * scale - wanted) > 1e-9) {
        return null;
      }
      out[i] = cumulative + point.getBucketCounts(b);
    }
    return out;
  }

  /** Adds one histogram point's requests to its route's counts; returns 1 if it is unusable. */
  private long countPoint(AggregationTemporality temporality, int flags, List<KeyValue> attributes,
      long startNanos, long timeNanos, long count, String cloud, String service, ByteString seriesPrefix,
      Map<Operation, long[]> counts, long[] duplicatePoints, long[] le) {
    if ((flags & DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE) != 0) {
      return 0;
    }
    long requests;
    if (temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA) {
      if (count <= 0) {
        return 0;
      }
      // A delta point is known by its series and its interval: a retry or the other path's copy
      // repeats both, so it is counted once.
      if (!deduplicator.firstSeenPoint(seriesKey(seriesPrefix, attributes), startNanos, timeNanos)) {
        duplicatePoints[0]++;
        return 0;
      }
      requests = count;
    } else if (temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE) {
      byte[] key = seriesKey(seriesPrefix, attributes);
      // Hashed: a series costs the same memory whatever its attributes.
      SeriesKey hashed = new SeriesKey(SeriesHash.hash(key, 0x9E3779B97F4A7C15L, 0, 0),
          SeriesHash.hash(key, 0xC2B2AE3D27D4EB4FL, 0, 0));
      requests = cumulative.increase(hashed, startNanos, timeNanos, count);
      if (le != null) {
        // Each bound's cumulative count becomes a delta the same way, as a series of its own.
        long[] deltas = new long[BOUNDS];
        for (int i = 0; i < BOUNDS; i++) {
          SeriesKey bound = new SeriesKey(hashed.high() ^ (0x632BE59BD9B4E019L * (i + 1)), hashed.low() + i + 1);
          deltas[i] = Math.max(0, cumulative.increase(bound, startNanos, timeNanos, le[i]));
        }
        le = deltas;
      }
    } else {
      return 1;
    }
    if (requests <= 0) {
      return 0;
    }
    String route = text(attributes, ROUTE, UNKNOWN);
    long[] goodTotal = counts.computeIfAbsent(new Operation(cloud, service, route), k -> newCounts());
    goodTotal[1] += requests;
    if (goodRequest(attributes)) {
      goodTotal[0] += requests;
    }
    if (le != null && le[BOUNDS - 1] <= requests) {
      for (int i = 0; i < BOUNDS; i++) {
        goodTotal[LE + i] += le[i];
      }
    } else {
      goodTotal[NO_LATENCY] += requests;
    }
    return 0;
  }

  /**
   * Good means no server error: a status below 500. Without a status code (no response was sent)
   * the semantic conventions set {@code error.type}, which then makes it bad.
   */
  private static boolean goodRequest(List<KeyValue> attributes) {
    for (KeyValue attribute : attributes) {
      if (STATUS_CODE.equals(attribute.getKey())) {
        AnyValue value = attribute.getValue();
        if (value.hasIntValue()) {
          return value.getIntValue() < 500;
        }
        if (value.hasStringValue()) {
          try {
            return Long.parseLong(value.getStringValue().trim()) < 500;
          } catch (NumberFormatException e) {
            return false;
          }
        }
        if (value.hasDoubleValue()) {
          return value.getDoubleValue() < 500;
        }
        return false;
      }
    }
    return text(attributes, ERROR_TYPE, null) == null;
  }

  /** The latest point of a replication lag gauge, once per domain it stands for. */
  private long replicationLag(Metric metric, String cloud, Instant now) {
    if (!metric.hasGauge()) {
      return 0; // a lag is a gauge; another type under that name is someone else's metric
    }
    NumberDataPoint latest = metric.getGauge().getDataPointsList().stream()
        .filter(p -> (p.getFlags() & DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE) == 0)
        .max(Comparator.comparingLong(NumberDataPoint::getTimeUnixNano))
        .orElse(null);
    if (latest == null) {
      return 0;
    }
    double lag;
    switch (latest.getValueCase()) {
      case AS_DOUBLE:
        lag = latest.getAsDouble();
        break;
      case AS_INT:
        lag = latest.getAsInt();
        break;
      default:
        return 1;
    }
    if (!(lag >= 0) || Double.isInfinite(lag)) {
      return 1;
    }
    for (String domain : path.replicationMetrics().get(metric.getName())) {
      emit(new ReplicationObservation(now, domain, cloud, lag));
    }
    return 0;
  }

  /** One observation per operation, after collapsing label values past their bounds. */
  private void emitTelemetry(Instant now, String source, Map<Operation, long[]> counts) {
    Map<Operation, long[]> bounded = new LinkedHashMap<>();
    counts.forEach((op, goodTotal) -> {
      if (goodTotal[1] > 0) {
        String service = bounds.service(op.service);
        Operation kept = new Operation(bounds.cloud(op.cloud), service, bounds.operation(service, op.name));
        long[] sum = bounded.computeIfAbsent(kept, k -> newCounts());
        for (int i = 0; i < sum.length; i++) {
          sum[i] += goodTotal[i];
        }
      }
    });
    bounded.forEach((op, goodTotal) ->
        emit(new TelemetryObservation(now, path.id(), op.cloud, op.service, op.name, source, goodTotal[0],
            goodTotal[1], latencyOf(goodTotal))));
  }

  /** At most one heartbeat per path per second: the engine needs liveness, not volume. */
  private void heartbeat(Instant now) {
    long millis = now.toEpochMilli();
    long last = lastHeartbeat.get();
    boolean due = last == NO_HEARTBEAT || millis - last >= HEARTBEAT_INTERVAL_MILLIS || millis < last;
    if (due && lastHeartbeat.compareAndSet(last, millis)) {
      emit(new HeartbeatObservation(now, path.id(), path.cloud()));
    }
  }

  private void emit(Observation observation) {
    try {
      sink.accept(observation);
      stats.emitted();
    } catch (RuntimeException e) {
      stats.sinkFailed();
      long millis = clock.millis();
      long last = lastSinkFailureLog.get();
      if ((last == NO_HEARTBEAT || millis - last >= 60_000) && lastSinkFailureLog.compareAndSet(last, millis)) {
        LOG.warn("path {}: observation sink threw, observation dropped (logged once a minute)", path.id(), e);
      }
    }
  }

  private static boolean validIds(Span span) {
    return span.getTraceId().size() == 16 && span.getSpanId().size() == 8
        && !allZero(span.getTraceId()) && !allZero(span.getSpanId());
  }

  private static boolean allZero(ByteString bytes) {
    for (int i = 0; i < bytes.size(); i++) {
      if (bytes.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private static long pointCount(Metric metric) {
    switch (metric.getDataCase()) {
      case GAUGE:
        return metric.getGauge().getDataPointsCount();
      case SUM:
        return metric.getSum().getDataPointsCount();
      case HISTOGRAM:
        return metric.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM:
        return metric.getExponentialHistogram().getDataPointsCount();
      case SUMMARY:
        return metric.getSummary().getDataPointsCount();
      default:
        return 0;
    }
  }

  /** A string attribute's value, or {@code otherwise} when absent or blank. */
  static String text(List<KeyValue> attributes, String key, String otherwise) {
    for (KeyValue attribute : attributes) {
      if (key.equals(attribute.getKey())) {
        AnyValue value = attribute.getValue();
        if (value.hasStringValue() && !value.getStringValue().isBlank()) {
          return value.getStringValue();
        }
        return otherwise;
      }
    }
    return otherwise;
  }

  /** Resource attributes, sorted, as bytes: part of every series key from that resource. */
  private static ByteString attributesKey(List<KeyValue> attributes) {
    List<KeyValue> sorted = new ArrayList<>(attributes);
    sorted.sort(Comparator.comparing(KeyValue::getKey));
    ByteString.Output out = ByteString.newOutput();
    try {
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      for (KeyValue attribute : sorted) {
        coded.writeBytesNoTag(attribute.toByteString());
      }
      coded.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteString();
  }

  private static ByteString seriesPrefix(ByteString resourceKey, InstrumentationScope scope) {
    return ByteString.copyFromUtf8(HTTP_SERVER_DURATION + '\u0000' + scope.getName() + '\u0000'
        + scope.getVersion() + '\u0000').concat(resourceKey).concat(ByteString.copyFromUtf8("\u0000"));
  }

  /** Identifies one series: metric, scope, resource and point attributes. */
  private static byte[] seriesKey(ByteString prefix, List<KeyValue> pointAttributes) {
    return prefix.concat(attributesKey(pointAttributes)).toByteArray();
  }

  private static LatencyCounts latencyOf(long[] counts) {
    if (counts.length <= NO_LATENCY || counts[NO_LATENCY] > 0) {
      return null;
    }
    return new LatencyCounts(java.util.Arrays.copyOfRange(counts, LE, LE + BOUNDS));
  }

  private record Operation(String cloud, String service, String name) {}

  /**
   * Per operation: [good, total, requests at most as slow as each standard latency bound...,
   * requests whose latency is unknown]. An aggregate with unknown latencies carries none.
   */
  private static final int LE = 2;
  private static final int BOUNDS = LatencyCounts.BOUNDS_MS.length;
  private static final int NO_LATENCY = LE + BOUNDS;

  private static long[] newCounts() {
    return new long[NO_LATENCY + 1];
  }

  /** Counts one request of known latency into the bound buckets. */
  private static void latency(long[] counts, double millis) {
    for (int i = 0; i < BOUNDS; i++) {
      if (millis <= LatencyCounts.BOUNDS_MS[i]) {
        counts[LE + i]++;
      }
    }
  }

  /** A 128-bit hash of a series' identity. */
  private record SeriesKey(long high, long low) {}
}
