package dev.tandem.collectors;

import static dev.tandem.collectors.Fixtures.await;
import static dev.tandem.collectors.Fixtures.attribute;
import static dev.tandem.collectors.Fixtures.serverSpan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.collectors.Fixtures.RecordingSink;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.TelemetryObservation;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Probe steps exported as spans by synthetics, to both paths: one observation per step, never
 * server telemetry, invalid ones refused through partial_success.
 */
@ExtendWith(VertxExtension.class)
class ProbeSpanTest {

  private static final AttributeKey<String> RUN = AttributeKey.stringKey("tandem.run");
  private static final AttributeKey<String> JOURNEY = AttributeKey.stringKey("tandem.journey");
  private static final AttributeKey<String> STEP = AttributeKey.stringKey("tandem.step");
  private static final AttributeKey<String> CLOUD = AttributeKey.stringKey("tandem.cloud");
  private static final AttributeKey<String> VANTAGE = AttributeKey.stringKey("tandem.vantage");
  private static final AttributeKey<Boolean> OK = AttributeKey.booleanKey("tandem.ok");
  private static final AttributeKey<Long> LATENCY = AttributeKey.longKey("tandem.latency_ms");
  private static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("tandem.attempts");
  private static final AttributeKey<String> ERROR = AttributeKey.stringKey("tandem.error");
  private static final AttributeKey<Boolean> CRITICAL = AttributeKey.booleanKey("tandem.critical");

  private final RecordingSink sink = new RecordingSink();
  private OtlpHttpReceiver pathA;
  private OtlpHttpReceiver pathB;
  private WebClient client;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    Clock clock = Clock.systemUTC();
    SpanDeduplicator deduplicator = SpanDeduplicator.create(clock);
    CumulativeSeries cumulative = CumulativeSeries.create(clock);
    pathA = OtlpHttpReceiver.create(Fixtures.path("path-a", "primary"), vertx, sink, clock, deduplicator, cumulative);
    pathB = OtlpHttpReceiver.create(Fixtures.path("path-b", "secondary").withGrpcPort(0), vertx, sink, clock,
        deduplicator, cumulative);
    await(pathA.start());
    await(pathB.start());
    client = WebClient.create(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    await(pathA.stop());
    await(pathB.stop());
  }

  @Test
  void probeStepsSentOverBothPathsBecomeOneProbeObservationEach() {
    // As synthetics does: every step span goes to both paths (here HTTP to A, gRPC to B).
    SdkTracerProvider tracing = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "tandem-synthetics"))))
        .addSpanProcessor(SimpleSpanProcessor.create(OtlpHttpSpanExporter.builder()
            .setEndpoint("http://" + Fixtures.HOST + ":" + pathA.port() + "/v1/traces").build()))
        .addSpanProcessor(SimpleSpanProcessor.create(OtlpGrpcSpanExporter.builder()
            .setEndpoint("http://" + Fixtures.HOST + ":" + pathB.grpcPort()).build()))
        .build();
    Instant submitEnd = Instant.parse("2026-11-26T10:00:01.250Z");
    Instant allocateEnd = Instant.parse("2026-11-26T10:00:02.500Z");
    String run;
    try {
      Tracer tracer = tracing.get("tandem-synthetics");
      Span root = tracer.spanBuilder("journey order-to-invoice").startSpan();
      run = root.getSpanContext().getTraceId();
      io.opentelemetry.context.Context parent = io.opentelemetry.context.Context.root().with(root);
      tracer.spanBuilder("submit-order").setParent(parent).setSpanKind(SpanKind.CLIENT)
          .setAllAttributes(step(run, "submit-order").put(OK, true).put(LATENCY, 84L).put(ATTEMPTS, 1L).build())
          .startSpan().end(submitEnd);
      tracer.spanBuilder("allocate").setParent(parent).setSpanKind(SpanKind.CLIENT)
          .setAllAttributes(step(run, "allocate").put(OK, false).put(LATENCY, 2001L).put(ATTEMPTS, 3L)
              .put(ERROR, "status 503, expected [200]").build())
          .startSpan().setStatus(StatusCode.ERROR).end(allocateEnd);
      // A failed non-critical step that does not say why, and a probe span of SERVER kind: still a probe.
      tracer.spanBuilder("pick").setParent(parent).setSpanKind(SpanKind.SERVER)
          .setAllAttributes(step(run, "pick").put(OK, false).put(LATENCY, 5L).put(ATTEMPTS, 1L).put(CRITICAL, false)
              .build())
          .startSpan().end(allocateEnd);
      // Invalid: no vantage.
      tracer.spanBuilder("ship").setParent(parent).setSpanKind(SpanKind.CLIENT)
          .setAllAttributes(Attributes.builder().put(RUN, run).put(JOURNEY, "order-to-invoice").put(STEP, "ship")
              .put(CLOUD, "primary").put(OK, true).put(LATENCY, 1L).build())
          .startSpan().end(allocateEnd);
      root.end();
      assertThat(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    } finally {
      tracing.shutdown().join(10, TimeUnit.SECONDS);
    }

    await().atMost(Duration.ofSeconds(10)).until(() ->
        pathA.stats().spansAccepted() + pathA.stats().spansRejected() == 5
            && pathB.stats().spansAccepted() + pathB.stats().spansRejected() == 5);
    assertThat(sink.of(ProbeObservation.class)).containsExactlyInAnyOrder(
        new ProbeObservation(submitEnd, run, "order-to-invoice", "submit-order", "primary", "ext-1", true, 84, null, 1),
        new ProbeObservation(allocateEnd, run, "order-to-invoice", "allocate", "primary", "ext-1", false, 2001,
            "status 503, expected [200]", 3),
        new ProbeObservation(allocateEnd, run, "order-to-invoice", "pick", "primary", "ext-1", false, 5,
            "failed (no error reported)", 1, false));
    assertThat(sink.of(TelemetryObservation.class)).isEmpty();
    assertThat(pathA.stats().probeSpans() + pathB.stats().probeSpans()).isEqualTo(3);
    assertThat(pathA.stats().duplicateSpans() + pathB.stats().duplicateSpans()).isEqualTo(3);
    assertThat(pathA.stats().spansRejected()).isEqualTo(1);
    assertThat(pathB.stats().spansRejected()).isEqualTo(1);
  }

  @Test
  void invalidProbeSpanIsRefusedThroughPartialSuccessWithTheReason() throws Exception {
    var request = Fixtures.traces("tandem-synthetics",
        serverSpan(1, "submit-order", false).toBuilder().setEndTimeUnixNano(1_000_000_000L)
            .addAttributes(attribute("tandem.run", "abc")).addAttributes(attribute("tandem.journey", "j"))
            .addAttributes(attribute("tandem.step", "s")).addAttributes(attribute("tandem.cloud", "primary"))
            .addAttributes(attribute("tandem.vantage", "ext-1"))
            .addAttributes(KeyValue.newBuilder().setKey("tandem.ok").setValue(AnyValue.newBuilder().setStringValue("true")))
            .addAttributes(attribute("tandem.latency_ms", 3)).build(),
        serverSpan(2, "GET /orders", false));

    HttpResponse<Buffer> response = await(client.post(pathA.port(), Fixtures.HOST, "/v1/traces")
        .putHeader("Content-Type", "application/x-protobuf").sendBuffer(Buffer.buffer(request.toByteArray())));

    assertThat(response.statusCode()).isEqualTo(200);
    ExportTraceServiceResponse answer = ExportTraceServiceResponse.parseFrom(Fixtures.bytes(response));
    assertThat(answer.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(answer.getPartialSuccess().getErrorMessage()).contains("tandem.ok must be a bool");
    assertThat(sink.of(ProbeObservation.class)).isEmpty();
    // The ordinary server span in the same request is still counted.
    assertThat(sink.goodTotal("span", "tandem-synthetics", "GET /orders")).containsExactly(1, 1);
  }

  private static io.opentelemetry.api.common.AttributesBuilder step(String run, String step) {
    return Attributes.builder().put(RUN, run).put(JOURNEY, "order-to-invoice").put(STEP, step)
        .put(CLOUD, "primary").put(VANTAGE, "ext-1");
  }
}
