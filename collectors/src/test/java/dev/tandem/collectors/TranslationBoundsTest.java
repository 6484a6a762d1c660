package dev.tandem.collectors;

import static dev.tandem.collectors.Fixtures.attribute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.collectors.Fixtures.RecordingSink;
import dev.tandem.engine.replay.VirtualClock;
import dev.tandem.engine.observation.TelemetryObservation;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Delta point dedup and label cardinality bounds, on the translator itself. */
class TranslationBoundsTest {

  private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-26T10:00:00Z"));
  private final RecordingSink sink = new RecordingSink();
  private final SpanDeduplicator deduplicator = SpanDeduplicator.create(clock);
  private final CumulativeSeries cumulative = CumulativeSeries.create(clock);

  private OtlpTranslator translator(String path, ReceiverStats stats, AttributeBounds bounds) {
    return new OtlpTranslator(Fixtures.path(path, "primary"), clock, sink, deduplicator, cumulative, stats, bounds);
  }

  private static ExportMetricsServiceRequest delta(String route, long start, long time, long count, int status) {
    HistogramDataPoint point = HistogramDataPoint.newBuilder()
        .setStartTimeUnixNano(start).setTimeUnixNano(time).setCount(count)
        .addAttributes(attribute("http.route", route)).addAttributes(attribute("http.response.status_code", status))
        .build();
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attribute("service.name", "orders")))
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder()
            .setName("http.server.request.duration")
            .setHistogram(Histogram.newBuilder()
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                .addDataPoints(point)))))
        .build();
  }

  @Test
  void deltaPointRetriedOrSentOverTheOtherPathIsCountedOnce() {
    ReceiverStats statsA = new ReceiverStats();
    ReceiverStats statsB = new ReceiverStats();
    OtlpTranslator pathA = translator("path-a", statsA, new AttributeBounds(new LongAdder()));
    OtlpTranslator pathB = translator("path-b", statsB, new AttributeBounds(new LongAdder()));

    pathA.metrics(delta("/orders", 1_000, 2_000, 7, 200));
    pathA.metrics(delta("/orders", 1_000, 2_000, 7, 200)); // client retry
    pathB.metrics(delta("/orders", 1_000, 2_000, 7, 200)); // dual-homed sender
    pathA.metrics(delta("/orders", 2_000, 3_000, 4, 200)); // the next interval: new
    pathA.metrics(delta("/orders", 1_000, 2_000, 5, 500)); // same interval, another series: new

    assertThat(sink.goodTotal("histogram", "orders", "/orders")).containsExactly(11, 16);
    assertThat(statsA.duplicatePoints()).isEqualTo(1);
    assertThat(statsB.duplicatePoints()).isEqualTo(1);
    assertThat(deduplicator.pointHits()).isEqualTo(2);
    assertThat(deduplicator.hits()).isZero();
  }

  @Test
  void operationsPastTheBoundAreCollapsedAndCounted() {
    LongAdder collapsed = new LongAdder();
    OtlpTranslator translator = translator("path-a", new ReceiverStats(), new AttributeBounds(4, 2, 3, collapsed));
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      spans.add(Fixtures.serverSpan(i, "GET /orders/" + i, false));
    }

    translator.traces(Fixtures.traces("orders", spans.toArray(new Span[0])));
    translator.traces(Fixtures.traces("orders", Fixtures.serverSpan(50, "GET /orders/1", true)));

    Map<String, long[]> byOperation = new java.util.TreeMap<>();
    for (TelemetryObservation t : sink.of(TelemetryObservation.class)) {
      long[] sum = byOperation.computeIfAbsent(t.operation(), k -> new long[2]);
      sum[0] += t.good();
      sum[1] += t.total();
    }
    assertThat(byOperation.keySet()).containsExactly("GET /orders/0", "GET /orders/1", "GET /orders/2", "_other");
    assertThat(byOperation.get("_other")).containsExactly(7, 7);
    assertThat(byOperation.get("GET /orders/1")).containsExactly(1, 2); // an admitted value stays admitted
    assertThat(collapsed.sum()).isEqualTo(7);
  }

  @Test
  void servicesAndCloudsPastTheBoundAreCollapsed() {
    LongAdder collapsed = new LongAdder();
    OtlpTranslator translator = translator("path-a", new ReceiverStats(), new AttributeBounds(1, 2, 10, collapsed));
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    for (int i = 0; i < 4; i++) {
      request.addAllResourceSpans(Fixtures.traces("svc-" + i, Fixtures.serverSpan(i, "GET /", false)).getResourceSpansList());
    }

    translator.traces(request.build());

    assertThat(sink.of(TelemetryObservation.class)).extracting(TelemetryObservation::service)
        .containsExactly("svc-0", "svc-1", "_other");
    assertThat(sink.goodTotal("span", "_other", "GET /")).containsExactly(2, 2);
    assertThat(collapsed.sum()).isEqualTo(2);
  }
}
