package dev.tandem.collectors;

import static dev.tandem.collectors.Fixtures.await;
import static dev.tandem.collectors.Fixtures.serverSpan;
import static dev.tandem.collectors.Fixtures.traces;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.collectors.Fixtures.RecordingSink;
import dev.tandem.collectors.GrpcCalls.Answer;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.TelemetryObservation;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
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

/** OTLP/gRPC: the SDK's own gRPC exporters, and raw calls for every error answer. */
@ExtendWith(VertxExtension.class)
class OtlpGrpcReceiverTest {

  private static final String TOKEN = "path-a-token";
  private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

  private final RecordingSink sink = new RecordingSink();
  private OtlpHttpReceiver receiver;
  private GrpcCalls grpc;
  private String endpoint;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    PathSettings settings = new PathSettings("path-a", "primary", Fixtures.HOST, 0, List.of(TOKEN), 64 * 1024, Map.of())
        .withGrpcPort(0);
    receiver = OtlpHttpReceiver.create(settings, vertx, sink, Clock.systemUTC());
    await(receiver.start());
    assertThat(receiver.grpcPort()).isPositive().isNotEqualTo(receiver.port());
    endpoint = "http://" + Fixtures.HOST + ":" + receiver.grpcPort();
    grpc = new GrpcCalls(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    grpc.close();
    await(receiver.stop());
  }

  @Test
  void sdkGrpcSpanExporterIsCountedPerServiceAndOperation() {
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
        .setEndpoint(endpoint)
        .addHeader("Authorization", "Bearer " + TOKEN)
        .setCompression("gzip")
        .build();
    SdkTracerProvider tracing = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "orders"))))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
    try {
      Tracer tracer = tracing.get("test");
      tracer.spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER).startSpan().end();
      tracer.spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER).startSpan().setStatus(StatusCode.ERROR).end();
      tracer.spanBuilder("INSERT orders").setSpanKind(SpanKind.CLIENT).startSpan().end();
      assertThat(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(sink.goodTotal("span", "orders", "POST /orders")).containsExactly(1, 2));
      assertThat(receiver.stats().spansAccepted()).isEqualTo(3);
      assertThat(receiver.stats().requestsAccepted()).isEqualTo(3);
      assertThat(sink.of(HeartbeatObservation.class)).isNotEmpty();
    } finally {
      tracing.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sdkGrpcMetricExporterCumulativeHistogramBecomesDeltas() {
    OtlpGrpcMetricExporter exporter = OtlpGrpcMetricExporter.builder()
        .setEndpoint(endpoint)
        .addHeader("Authorization", "Bearer " + TOKEN)
        .build();
    SdkMeterProvider metrics = SdkMeterProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "inventory"))))
        .registerMetricReader(PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
        .build();
    try {
      DoubleHistogram durations = metrics.get("test").histogramBuilder("http.server.request.duration").setUnit("s").build();
      durations.record(0.01, Attributes.of(ROUTE, "/stock", STATUS, 200L));
      durations.record(0.02, Attributes.of(ROUTE, "/stock", STATUS, 500L));
      assertThat(metrics.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(sink.goodTotal("histogram", "inventory", "/stock")).containsExactly(1, 2));

      durations.record(0.03, Attributes.of(ROUTE, "/stock", STATUS, 200L));
      assertThat(metrics.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(sink.goodTotal("histogram", "inventory", "/stock")).containsExactly(2, 3));
      assertThat(receiver.stats().requestsAccepted()).isEqualTo(2);
    } finally {
      metrics.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sdkExporterWithWrongTokenFailsAndNothingIsCounted() {
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
        .setEndpoint(endpoint)
        .addHeader("Authorization", "Bearer wrong")
        .build();
    SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    try {
      tracing.get("test").spanBuilder("GET /").setSpanKind(SpanKind.SERVER).startSpan().end();
      CompletableResultCode flushed = tracing.forceFlush().join(10, TimeUnit.SECONDS);
      assertThat(flushed.isSuccess()).isFalse();
      assertThat(receiver.stats().requestsRejected(401)).isPositive();
      assertThat(sink.observations).isEmpty();
    } finally {
      tracing.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void missingTokenIsUnauthenticated() throws Exception {
    Answer answer = grpc.call(receiver.grpcPort(), GrpcCalls.TRACES, traces("s", serverSpan(1, "GET /", false)).toByteArray(), null, false);

    assertThat(answer.status()).isEqualTo(GrpcStatus.UNAUTHENTICATED);
    assertThat(sink.observations).isEmpty();
  }

  @Test
  void undecodableMessageIsInvalidArgumentAndServiceKeepsServing() throws Exception {
    Answer bad = grpc.call(receiver.grpcPort(), GrpcCalls.TRACES, new byte[] {0x0a, (byte) 0xff, 0x01}, TOKEN, false);
    Answer good = grpc.call(receiver.grpcPort(), GrpcCalls.TRACES, traces("s", serverSpan(2, "GET /", false)).toByteArray(), TOKEN, true);

    assertThat(bad.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(bad.message()).contains("protobuf");
    assertThat(good.status()).isEqualTo(GrpcStatus.OK);
    assertThat(ExportTraceServiceResponse.parseFrom(good.body()).hasPartialSuccess()).isFalse();
    assertThat(sink.goodTotal("span", "s", "GET /")).containsExactly(1, 1);
  }

  @Test
  void partialSuccessIsReportedOverGrpc() throws Exception {
    Span noIds = serverSpan(3, "GET /", false).toBuilder().clearTraceId().build();

    Answer answer = grpc.call(receiver.grpcPort(), GrpcCalls.TRACES,
        traces("s", noIds, serverSpan(4, "GET /", false)).toByteArray(), TOKEN, false);

    assertThat(answer.status()).isEqualTo(GrpcStatus.OK);
    ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(answer.body());
    assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(response.getPartialSuccess().getErrorMessage()).contains("trace id");
  }

  @Test
  void oversizedMessageIsResourceExhaustedWithoutRetryInfo() throws Exception {
    byte[] big = traces("s", serverSpan(5, "x".repeat(70 * 1024), false)).toByteArray();

    Answer tooBig = grpc.call(receiver.grpcPort(), GrpcCalls.TRACES, big, TOKEN, false);
    Answer after = grpc.call(receiver.grpcPort(), GrpcCalls.TRACES, traces("s", serverSpan(6, "GET /", false)).toByteArray(), TOKEN, false);

    assertThat(tooBig.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(tooBig.metadata().contains("grpc-status-details-bin")).isFalse();
    assertThat(after.status()).isEqualTo(GrpcStatus.OK);
    assertThat(receiver.stats().requestsRejected(413)).isEqualTo(1);
  }

  @Test
  void gzipMessageInflatingPastTheLimitIsResourceExhausted() throws Exception {
    // A real gRPC-compressed message whose content inflates to 10 MiB (limit 64 KiB).
    byte[] huge = traces("s", serverSpan(7, "y".repeat(10 * 1024 * 1024), false)).toByteArray();

    Answer answer = grpc.call(receiver.grpcPort(), GrpcCalls.TRACES, huge, TOKEN, true);

    assertThat(answer.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(answer.metadata().contains("grpc-status-details-bin")).isFalse();
    assertThat(sink.of(TelemetryObservation.class)).isEmpty();
  }

  @Test
  void logsServiceIsUnimplemented() throws Exception {
    Answer answer = grpc.call(receiver.grpcPort(), GrpcCalls.LOGS, new byte[0], TOKEN, false);

    assertThat(answer.status()).isEqualTo(GrpcStatus.UNIMPLEMENTED);
  }
}
