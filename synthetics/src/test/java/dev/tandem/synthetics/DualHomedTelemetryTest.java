package dev.tandem.synthetics;

import static dev.tandem.synthetics.RunnerAgainstSimulatorTest.VANTAGES;
import static dev.tandem.synthetics.RunnerAgainstSimulatorTest.demo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tandem.sim.CloudFaults;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A probe run's trace reaches every telemetry path, each step span carrying the tandem.* attributes. */
@ExtendWith(VertxExtension.class)
class DualHomedTelemetryTest {
  private final Receiver pathA = new Receiver();
  private final Receiver pathB = new Receiver();
  private PlatformSimulator sim;
  private WebClient client;
  private ProbeTelemetry telemetry;

  /** A small OTLP/HTTP trace receiver: decodes protobuf as a collector would, answers 200. */
  static final class Receiver {
    final List<Span> spans = new CopyOnWriteArrayList<>();
    final List<Map<String, String>> resources = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    HttpServer server;

    Future<HttpServer> start(Vertx vertx) {
      return vertx.createHttpServer().requestHandler(req -> {
        authorizations.add(String.valueOf(req.getHeader("Authorization")));
        req.body().onSuccess(body -> {
          if (!"/v1/traces".equals(req.path())
              || !"application/x-protobuf".equals(req.getHeader("Content-Type"))) {
            req.response().setStatusCode(415).end();
            return;
          }
          try {
            ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(body.getBytes());
            export.getResourceSpansList().forEach(rs -> {
              resources.add(strings(rs.getResource().getAttributesList()));
              rs.getScopeSpansList().forEach(ss -> spans.addAll(ss.getSpansList()));
            });
            req.response().putHeader("Content-Type", "application/x-protobuf")
                .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
          } catch (InvalidProtocolBufferException e) {
            req.response().setStatusCode(400).end();
          }
        });
      }).listen(0, "127.0.0.1").onSuccess(s -> server = s);
    }

    String url() {
      return "http://127.0.0.1:" + server.actualPort();
    }

    List<Span> stepSpansOf(String traceHex) {
      return spans.stream()
          .filter(s -> HexFormat.of().formatHex(s.getTraceId().toByteArray()).equals(traceHex))
          .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
          .toList();
    }
  }

  static Map<String, String> strings(List<KeyValue> attributes) {
    return attributes.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> text(kv.getValue())));
  }

  private static String text(AnyValue v) {
    switch (v.getValueCase()) {
      case BOOL_VALUE:
        return Boolean.toString(v.getBoolValue());
      case INT_VALUE:
        return Long.toString(v.getIntValue());
      case DOUBLE_VALUE:
        return Double.toString(v.getDoubleValue());
      default:
        return v.getStringValue();
    }
  }

  private static AnyValue.ValueCase typeOf(Span span, String key) {
    return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).findFirst()
        .map(kv -> kv.getValue().getValueCase()).orElse(AnyValue.ValueCase.VALUE_NOT_SET);
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    RunnerAgainstSimulatorTest.join(pathA.start(vertx));
    RunnerAgainstSimulatorTest.join(pathB.start(vertx));
    sim = PlatformSimulator.create(vertx, SimSettings.builder().build());
    RunnerAgainstSimulatorTest.join(sim.start());
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    if (telemetry != null) {
      telemetry.shutdown(Duration.ofSeconds(5));
    }
    client.close();
    RunnerAgainstSimulatorTest.join(sim.stop());
  }

  private JourneyRunner runner(Vertx vertx) {
    return JourneyRunner.builder(vertx, client, o -> { })
        .settings(ProbeSettings.of(Duration.ofSeconds(5), Duration.ofSeconds(2)))
        .openTelemetry(telemetry.openTelemetry()).build();
  }

  @Test
  void everyStepSpanOfARunArrivesAtBothPathsWithTheProbeAttributes(Vertx vertx) throws Exception {
    telemetry = ProbeTelemetry.builder()
        .endpoint(new ProbeTelemetry.Endpoint(pathA.url(), Map.of("Authorization", "Bearer token-a")))
        .endpoint(new ProbeTelemetry.Endpoint(pathB.url()))
        .resourceAttributes(Attributes.of(AttributeKey.stringKey("tandem.observer"), "obs-eu"))
        .build();
    sim.setFaults("primary", CloudFaults.none().withErrorRate("invoice", 1.0));
    Vantage vantage = VANTAGES.get(0);

    RunResult result = RunnerAgainstSimulatorTest.join(runner(vertx).run(demo("order-to-invoice.yaml"),
        new Target("primary", sim.baseUrl("primary")), vantage));

    List<String> steps = List.of("submit-order", "allocate", "pick-confirm", "ship-confirm", "invoice", "cleanup");
    for (Receiver path : List.of(pathA, pathB)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> path.stepSpansOf(result.run()).size() == steps.size());
      List<Span> spans = path.stepSpansOf(result.run());
      assertThat(spans).extracting(Span::getName).containsExactlyInAnyOrderElementsOf(steps);
      for (Span span : spans) {
        Map<String, String> a = strings(span.getAttributesList());
        boolean ok = !span.getName().equals("invoice");
        assertThat(a).containsEntry("tandem.run", result.run())
            .containsEntry("tandem.journey", "order-to-invoice")
            .containsEntry("tandem.step", span.getName())
            .containsEntry("tandem.cloud", "primary")
            .containsEntry("tandem.vantage", "ext-1")
            .containsEntry("tandem.ok", Boolean.toString(ok))
            .containsEntry("tandem.attempts", "1")
            .containsKeys("tandem.latency_ms", "http.request.method", "http.response.status_code");
        assertThat(typeOf(span, "tandem.ok")).isEqualTo(AnyValue.ValueCase.BOOL_VALUE);
        assertThat(typeOf(span, "tandem.latency_ms")).isEqualTo(AnyValue.ValueCase.INT_VALUE);
        assertThat(typeOf(span, "tandem.attempts")).isEqualTo(AnyValue.ValueCase.INT_VALUE);
        assertThat(typeOf(span, "http.response.status_code")).isEqualTo(AnyValue.ValueCase.INT_VALUE);
        if (ok) {
          assertThat(a).doesNotContainKey("tandem.error");
        } else {
          assertThat(a).containsEntry("tandem.error", "status 503, expected [201]")
              .containsEntry("http.response.status_code", "503");
        }
      }
      // The span starts at the observation's ts, so both routes agree on when the step ran.
      Span submit = spans.stream().filter(s -> s.getName().equals("submit-order")).findFirst().orElseThrow();
      long tsNanos = result.steps().get(0).ts().getEpochSecond() * 1_000_000_000L + result.steps().get(0).ts().getNano();
      assertThat(submit.getStartTimeUnixNano()).isEqualTo(tsNanos);
    }
    assertThat(pathA.resources).allSatisfy(r -> assertThat(r)
        .containsEntry("service.name", "tandem-synthetics").containsEntry("tandem.observer", "obs-eu"));
    assertThat(pathA.authorizations).contains("Bearer token-a");
    assertThat(pathB.authorizations).doesNotContain("Bearer token-a");
  }

  @Test
  void losingOnePathLosesNoProbeResult(Vertx vertx) throws Exception {
    String deadPath;
    try (ServerSocket reserved = new ServerSocket(0)) {
      deadPath = "http://127.0.0.1:" + reserved.getLocalPort(); // closed again: nothing listens
    }
    // The export timeout bounds the retries against the dead path, and it also bounds every export
    // to the live one, so it is long enough for a busy receiver; the waits follow it.
    telemetry = ProbeTelemetry.builder()
        .endpoint(new ProbeTelemetry.Endpoint(deadPath))
        .endpoint(new ProbeTelemetry.Endpoint(pathB.url()))
        .exportTimeout(Duration.ofSeconds(5))
        .build();

    RunResult result = RunnerAgainstSimulatorTest.join(runner(vertx).run(demo("stock-lookup.yaml"),
        new Target("secondary", sim.baseUrl("secondary")), VANTAGES.get(2)));

    // As many step spans as the run had steps: on a loaded machine the first step may miss its
    // maxLatencyMs and end the run after one step (it used to be taken as two, always).
    int steps = result.steps().size();
    assertThat(steps).isPositive();
    await().atMost(Duration.ofSeconds(10)).until(() -> pathB.stepSpansOf(result.run()).size() == steps);
    await().atMost(Duration.ofSeconds(30)).until(() -> telemetry.failedSpans(0) > 0);
    // The steps and the run span, acknowledged by the live path only.
    await().atMost(Duration.ofSeconds(10)).until(() -> telemetry.exportedSpans(1) >= steps + 1);
    assertThat(telemetry.exportedSpans(0)).isZero();
  }

  @Test
  void probeTelemetryRefusesNoEndpointOrTheSameOneTwice() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProbeTelemetry.builder().build())
        .hasMessageContaining("at least one OTLP endpoint");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProbeTelemetry.dualHomed(
            List.of("http://127.0.0.1:4318", "http://127.0.0.1:4318/"), Attributes.empty()))
        .hasMessageContaining("twice");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ProbeTelemetry.Endpoint("ftp://x"))
        .hasMessageContaining("http(s)");
  }
}
