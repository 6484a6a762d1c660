package dev.tandem.collectors;

import static dev.tandem.collectors.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.collectors.Fixtures.RecordingSink;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.observation.TelemetryObservation;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The OpenTelemetry SDK's own OTLP/HTTP exporters against the receiver. */
@ExtendWith(VertxExtension.class)
class OpenTelemetrySdkExportTest {

  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  private static final String TOKEN = "path-a-token";

  private final RecordingSink sink = new RecordingSink();
  private OtlpHttpReceiver receiver;
  private String endpoint;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    // The SDK stamps points with the real time, so the receiver must judge them by it too.
    PathSettings settings = new PathSettings("path-a", "primary", Fixtures.HOST, 0, List.of(TOKEN),
        Map.of("db.replication.lag", List.of("order-platform", "billing")));
    receiver = OtlpHttpReceiver.create(settings, vertx, sink, Clock.systemUTC());
    endpoint = "http://" + Fixtures.HOST + ":" + await(receiver.start());
  }

  @AfterEach
  void tearDown() throws Exception {
    await(receiver.stop());
  }

  @Test
  void sdkSpansBecomeTelemetryPerServiceAndOperation() {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(endpoint + "/v1/traces")
        .addHeader("Authorization", "Bearer " + TOKEN)
        .setCompression("gzip")
        .build();
    SdkTracerProvider tracing = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "orders"))))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
        .build();
    try {
      Tracer tracer = tracing.get("test");
      tracer.spanBuilder("GET /orders").setSpanKind(SpanKind.SERVER).startSpan().end();
      tracer.spanBuilder("GET /orders").setSpanKind(SpanKind.SERVER).startSpan().end();
      tracer.spanBuilder("GET /orders").setSpanKind(SpanKind.SERVER).startSpan().setStatus(StatusCode.ERROR).end();
      tracer.spanBuilder("SELECT orders").setSpanKind(SpanKind.CLIENT).startSpan().end();

      assertThat(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(sink.goodTotal("span", "orders", "GET /orders")).containsExactly(2, 3));
      assertThat(sink.of(TelemetryObservation.class)).allSatisfy(t -> {
        assertThat(t.path()).isEqualTo("path-a");
        assertThat(t.cloud()).isEqualTo("primary");
      });
      assertThat(sink.of(TelemetryObservation.class)).extracting(TelemetryObservation::operation)
          .doesNotContain("SELECT orders");
      assertThat(sink.of(HeartbeatObservation.class)).isNotEmpty();
      assertThat(receiver.stats().spansAccepted()).isEqualTo(4);
    } finally {
      tracing.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sdkCumulativeHistogramsBecomeDeltasAndLagGaugesBecomeReplication() {
    OtlpHttpMetricExporter exporter = OtlpHttpMetricExporter.builder()
        .setEndpoint(endpoint + "/v1/metrics")
        .addHeader("Authorization", "Bearer " + TOKEN)
        .build();
    SdkMeterProvider metrics = SdkMeterProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), "inventory", AttributeKey.stringKey("tandem.cloud"), "secondary"))))
        .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
        .build();
    try {
      // The semantic conventions' advisory bounds, as HTTP server instrumentation sets them.
      DoubleHistogram durations = metrics.get("test").histogramBuilder("http.server.request.duration").setUnit("s")
          .setExplicitBucketBoundariesAdvice(List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0,
              2.5, 5.0, 7.5, 10.0))
          .build();
      metrics.get("test").gaugeBuilder("db.replication.lag").setUnit("s").buildWithCallback(gauge -> gauge.record(4.2));
      Attributes ok = Attributes.of(ROUTE, "/stock/{sku}", STATUS, 200L);
      Attributes failed = Attributes.of(ROUTE, "/stock/{sku}", STATUS, 503L);
      durations.record(0.010, ok);
      durations.record(0.020, ok);
      durations.record(0.500, failed);

      assertThat(metrics.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(sink.goodTotal("histogram", "inventory", "/stock/{sku}")).containsExactly(2, 3));

      durations.record(0.030, ok);
      assertThat(metrics.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();

      // The second export carries cumulative counts 3 and 1; only the one new request counts.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(sink.goodTotal("histogram", "inventory", "/stock/{sku}")).containsExactly(3, 4));
      List<TelemetryObservation> telemetry = sink.of(TelemetryObservation.class);
      assertThat(telemetry).hasSize(2);
      assertThat(telemetry.get(1).good()).isEqualTo(1);
      assertThat(telemetry.get(1).total()).isEqualTo(1);
      // Latency counts per standard bound (5, 10, 25, 50, 75, 100, 250, 500 ... ms), as deltas too.
      assertThat(telemetry.get(0).latency().le()).startsWith(0, 1, 2, 2, 2, 2, 2, 3, 3);
      assertThat(telemetry.get(1).latency().le()).startsWith(0, 0, 0, 1, 1, 1, 1, 1);
      assertThat(telemetry).allSatisfy(t -> assertThat(t.cloud()).isEqualTo("secondary"));
      assertThat(sink.of(ReplicationObservation.class))
          .filteredOn(r -> r.domain().equals("order-platform")).hasSize(2)
          .allSatisfy(r -> {
            assertThat(r.cloud()).isEqualTo("secondary");
            assertThat(r.lagSeconds()).isEqualTo(4.2);
          });
      assertThat(sink.of(ReplicationObservation.class)).extracting(ReplicationObservation::domain)
          .containsOnly("order-platform", "billing");
    } finally {
      metrics.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
