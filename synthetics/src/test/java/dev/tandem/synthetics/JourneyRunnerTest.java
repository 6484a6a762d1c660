package dev.tandem.synthetics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ProbeObservation;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class JourneyRunnerTest {
  private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]");
  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  private static final Vantage VANTAGE = new Vantage("ext-1", "third-party", "eu");
  private static final ProbeSettings FAST = ProbeSettings.of(Duration.ofSeconds(10), Duration.ofSeconds(2))
      .withRetries(2, Duration.ofMillis(10));

  @TempDir Path dir;

  private record Seen(String method, String path, MultiMap headers) {}

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final List<Observation> sink = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private WebClient client;
  private Target target;

  @BeforeEach
  void startServer(Vertx vertx, VertxTestContext ctx) {
    Router router = Router.router(vertx);
    router.route().handler(rc -> {
      seen.add(new Seen(rc.request().method().name(), rc.request().path(),
          MultiMap.caseInsensitiveMultiMap().addAll(rc.request().headers())));
      hits.computeIfAbsent(rc.request().path(), k -> new AtomicInteger()).incrementAndGet();
      rc.next();
    });
    router.post("/orders").handler(rc -> rc.response().setStatusCode(201)
        .putHeader("Content-Type", "application/json")
        .putHeader("Location", "/orders/o-1")
        .end(new JsonObject().put("id", "o-1").put("status", "SUBMITTED").encode()));
    router.post("/orders/:id/allocation").handler(rc -> rc.response().setStatusCode(200).end("{}"));
    router.delete("/orders/:id").handler(rc -> rc.response().setStatusCode(204).end());
    router.post("/unavailable").handler(rc -> rc.response().setStatusCode(503).end("busy"));
    router.get("/rejected").handler(rc -> rc.response().setStatusCode(201)
        .end(new JsonObject().put("status", "REJECTED").encode()));
    router.get("/slow").handler(rc -> vertx.setTimer(150, id -> rc.response().end("late")));
    router.get("/hang").handler(rc -> { });
    router.get("/close").handler(rc -> rc.request().connection().close());
    router.get("/text").handler(rc -> rc.response().end("plain words"));
    client = WebClient.create(vertx);
    vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .onComplete(ctx.succeeding(s -> {
          server = s;
          target = new Target("primary", "http://127.0.0.1:" + s.actualPort());
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stopServer() {
    client.close();
  }

  private JourneyRunner runner(Vertx vertx) {
    return JourneyRunner.builder(vertx, client, sink::add)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC))
        .settings(FAST)
        .build();
  }

  private static List<ProbeObservation> probes(RunResult result) {
    return result.steps();
  }

  @Test
  void successfulRunReportsEveryStepAndPassesExtractedIdsOn(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: order-to-invoice
        steps:
          - name: submit-order
            request: {method: POST, path: /orders, headers: {Idempotency-Key: "{{uuid}}"}, json: {sku: SKU-1, qty: 1, customer: synthetic}}
            expect: {status: [201], jsonPath: {"$.status": SUBMITTED}, headers: {Location: /orders/o-1}, maxLatencyMs: 2000}
            extract: {orderId: "$.id"}
          - name: allocate
            request: {method: POST, path: "/orders/{{orderId}}/allocation"}
            expect: {status: [200]}
          - name: cleanup
            always: true
            critical: false
            request: {method: DELETE, path: "/orders/{{orderId}}"}
        """);

    runner(vertx).run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(result.ok()).isTrue();
      assertThat(result.run()).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
      assertThat(result.skipped()).isEmpty();
      assertThat(probes(result)).extracting(ProbeObservation::step)
          .containsExactly("submit-order", "allocate", "cleanup");
      assertThat(probes(result)).extracting(ProbeObservation::critical).containsExactly(true, true, false);
      assertThat(probes(result)).allSatisfy(p -> {
        assertThat(p.ok()).isTrue();
        assertThat(p.error()).isNull();
        assertThat(p.attempts()).isEqualTo(1);
        assertThat(p.run()).isEqualTo(result.run());
        assertThat(p.cloud()).isEqualTo("primary");
        assertThat(p.vantage()).isEqualTo("ext-1");
        assertThat(p.journey()).isEqualTo("order-to-invoice");
        assertThat(p.ts()).isEqualTo(NOW);
      });
      assertThat(sink).containsExactlyElementsOf(probes(result));
      assertThat(seen).extracting(Seen::method, Seen::path).containsExactly(
          org.assertj.core.groups.Tuple.tuple("POST", "/orders"),
          org.assertj.core.groups.Tuple.tuple("POST", "/orders/o-1/allocation"),
          org.assertj.core.groups.Tuple.tuple("DELETE", "/orders/o-1"));
      ctx.completeNow();
    })));
  }

  @Test
  void serviceUnavailableFailsWithStatusMessageAndIsNeverRetried(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: busy
        steps:
          - name: submit
            request: {method: POST, path: /unavailable}
            expect: {status: [201]}
        """);

    runner(vertx).run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(result.ok()).isFalse();
      ProbeObservation step = probes(result).get(0);
      assertThat(step.ok()).isFalse();
      assertThat(step.error()).isEqualTo("status 503, expected [201]");
      assertThat(step.attempts()).isEqualTo(1);
      assertThat(hits.get("/unavailable")).hasValue(1);
      ctx.completeNow();
    })));
  }

  @Test
  void refusedConnectionIsRetriedThenReportedWithItsAttempts(Vertx vertx, VertxTestContext ctx) throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    Journey journey = Journeys.parse(dir, """
        journey: refused
        steps:
          - name: ping
            request: {method: GET, path: /healthz}
        """);

    runner(vertx).run(journey, new Target("secondary", "http://127.0.0.1:" + closedPort), VANTAGE)
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          ProbeObservation step = probes(result).get(0);
          assertThat(step.ok()).isFalse();
          assertThat(step.error()).isEqualTo("connect refused");
          assertThat(step.attempts()).isEqualTo(3);
          assertThat(step.cloud()).isEqualTo("secondary");
          assertThat(result.ok()).isFalse();
          ctx.completeNow();
        })));
  }

  @Test
  void timeoutIsRetriedAndNamedWithTheStepTimeout(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: hanging
        steps:
          - name: wait
            timeoutMs: 200
            request: {method: GET, path: /hang}
        """);
    JourneyRunner runner = JourneyRunner.builder(vertx, client, sink::add)
        .settings(FAST.withRetries(1, Duration.ofMillis(10))).build();

    runner.run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      ProbeObservation step = probes(result).get(0);
      assertThat(step.error()).isEqualTo("timeout after 200 ms");
      assertThat(step.attempts()).isEqualTo(2);
      assertThat(step.latencyMs()).isBetween(150L, 2000L);
      assertThat(hits.get("/hang")).hasValue(2);
      ctx.completeNow();
    })));
  }

  @Test
  void connectionClosedBeforeAnswerIsATransportErrorAndRetried(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: closing
        steps:
          - name: read
            request: {method: GET, path: /close}
        """);

    runner(vertx).run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      ProbeObservation step = probes(result).get(0);
      assertThat(step.error()).isEqualTo("connection closed before response");
      assertThat(step.attempts()).isEqualTo(3);
      assertThat(hits.get("/close")).hasValue(3);
      ctx.completeNow();
    })));
  }

  @Test
  void assertionFailureNamesThePathWhatWasExpectedAndWhatCame(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: rejected
        steps:
          - name: submit
            request: {method: GET, path: /rejected}
            expect: {status: [201], jsonPath: {"$.status": SUBMITTED}}
        """);

    runner(vertx).run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      ProbeObservation step = probes(result).get(0);
      assertThat(step.error()).isEqualTo("$.status expected SUBMITTED got REJECTED");
      assertThat(step.attempts()).isEqualTo(1);
      assertThat(hits.get("/rejected")).hasValue(1);
      ctx.completeNow();
    })));
  }

  @Test
  void bodyAndHeaderExpectationsFailWithPreciseMessages(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: words
        steps:
          - name: text-ok
            critical: false
            request: {method: GET, path: /text}
            expect: {bodyContains: "plain"}
          - name: text-missing
            critical: false
            request: {method: GET, path: /text}
            expect: {bodyContains: "fancy"}
          - name: not-json
            critical: false
            request: {method: GET, path: /text}
            expect: {jsonPath: {"$.a": b}}
          - name: wrong-header
            critical: false
            request: {method: POST, path: /orders}
            expect: {headers: {location: /orders/o-2}}
        """);

    runner(vertx).run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(probes(result)).extracting(ProbeObservation::error).containsExactly(
          null,
          "body does not contain 'fancy'",
          "body is not JSON, expected JSON for $.a",
          "header location expected /orders/o-2 got /orders/o-1");
      assertThat(result.ok()).isTrue();
      ctx.completeNow();
    })));
  }

  @Test
  void slowAnswerFailsItsLatencyBound(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: slow
        steps:
          - name: read
            request: {method: GET, path: /slow}
            expect: {maxLatencyMs: 50}
        """);

    runner(vertx).run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      ProbeObservation step = probes(result).get(0);
      assertThat(step.ok()).isFalse();
      assertThat(step.error()).matches("latency \\d+ ms over 50 ms");
      assertThat(step.latencyMs()).isGreaterThanOrEqualTo(140);
      ctx.completeNow();
    })));
  }

  @Test
  void criticalFailureSkipsLaterStepsButStillRunsAlwaysSteps(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: broken-middle
        steps:
          - name: submit-order
            request: {method: POST, path: /orders}
            extract: {orderId: "$.id"}
          - name: pay
            request: {method: POST, path: /unavailable}
          - name: allocate
            request: {method: POST, path: "/orders/{{orderId}}/allocation"}
          - name: cleanup
            always: true
            critical: false
            request: {method: DELETE, path: "/orders/{{orderId}}"}
        """);

    runner(vertx).run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(result.ok()).isFalse();
      assertThat(probes(result)).extracting(ProbeObservation::step, ProbeObservation::ok).containsExactly(
          org.assertj.core.groups.Tuple.tuple("submit-order", true),
          org.assertj.core.groups.Tuple.tuple("pay", false),
          org.assertj.core.groups.Tuple.tuple("cleanup", true));
      assertThat(result.skipped()).containsExactly("allocate");
      assertThat(hits).doesNotContainKey("/orders/o-1/allocation");
      assertThat(hits.get("/orders/o-1")).hasValue(1);
      assertThat(result.firstFailure()).map(ProbeObservation::error).hasValue("status 503, expected 2xx");
      ctx.completeNow();
    })));
  }

  @Test
  void alwaysStepWithoutItsVariableIsSkippedNotReported(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: failed-at-start
        steps:
          - name: submit-order
            request: {method: POST, path: /unavailable}
            extract: {orderId: "$.id"}
          - name: cleanup
            always: true
            critical: false
            request: {method: DELETE, path: "/orders/{{orderId}}"}
        """);

    runner(vertx).run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(probes(result)).extracting(ProbeObservation::step).containsExactly("submit-order");
      assertThat(result.skipped()).containsExactly("cleanup");
      assertThat(seen).extracting(Seen::method).containsExactly("POST");
      ctx.completeNow();
    })));
  }

  @Test
  void nonCriticalFailureDoesNotFailTheRun(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: optional-middle
        steps:
          - name: optional
            critical: false
            request: {method: POST, path: /unavailable}
          - name: submit-order
            request: {method: POST, path: /orders}
        """);

    runner(vertx).run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(result.ok()).isTrue();
      assertThat(probes(result)).extracting(ProbeObservation::ok).containsExactly(false, true);
      assertThat(result.skipped()).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  void everyRequestCarriesTandemHeadersAndAStepSpanOfOneRunTrace(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: headers
        steps:
          - name: submit-order
            request: {method: POST, path: /orders, headers: {Idempotency-Key: "{{uuid}}"}}
            extract: {orderId: "$.id"}
          - name: allocate
            request: {method: POST, path: "/orders/{{orderId}}/allocation"}
        """);

    runner(vertx).run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(seen).hasSize(2);
      String first = seen.get(0).headers().get("traceparent");
      String second = seen.get(1).headers().get("traceparent");
      Matcher a = TRACEPARENT.matcher(first == null ? "" : first);
      Matcher b = TRACEPARENT.matcher(second == null ? "" : second);
      assertThat(a.matches()).as("traceparent %s", first).isTrue();
      assertThat(b.matches()).as("traceparent %s", second).isTrue();
      assertThat(a.group(1)).isEqualTo(b.group(1)).isEqualTo(result.run());
      assertThat(a.group(2)).isNotEqualTo(b.group(2)).isNotEqualTo("0".repeat(16));
      for (Seen request : seen) {
        assertThat(request.headers().get("X-Tandem-Vantage")).isEqualTo("ext-1");
        assertThat(request.headers().get("X-Tandem-Journey")).isEqualTo("headers");
        assertThat(request.headers().get("X-Tandem-Synthetic")).isEqualTo("true");
      }
      assertThat(seen.get(0).headers().get("Idempotency-Key"))
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      ctx.completeNow();
    })));
  }

  @Test
  void runsTwiceGetTwoTraceIds(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: twice
        steps:
          - name: ping
            request: {method: POST, path: /orders}
        """);
    JourneyRunner runner = runner(vertx);

    runner.run(journey, target, VANTAGE)
        .compose(first -> runner.run(journey, target, VANTAGE).map(second -> List.of(first, second)))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          assertThat(both.get(0).run()).isNotEqualTo(both.get(1).run());
          ctx.completeNow();
        })));
  }

  @Test
  void withTheSdkEachStepIsASpanUnderTheRunSpan(Vertx vertx, VertxTestContext ctx) {
    List<SpanData> spans = new CopyOnWriteArrayList<>();
    SdkTracerProvider tracing = SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(new Collecting(spans))).build();
    OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tracing).build();
    JourneyRunner runner = JourneyRunner.builder(vertx, client, sink::add)
        .openTelemetry(otel).settings(FAST).build();
    Journey journey = Journeys.parse(dir, """
        journey: traced
        steps:
          - name: submit-order
            request: {method: POST, path: /orders}
          - name: busy
            critical: false
            request: {method: POST, path: /unavailable}
        """);

    runner.run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(spans).hasSize(3);
      SpanData run = spans.stream().filter(s -> s.getName().equals("journey traced")).findFirst().orElseThrow();
      assertThat(run.getTraceId()).isEqualTo(result.run());
      assertThat(run.getParentSpanContext().isValid()).isFalse();
      List<SpanData> steps = spans.stream().filter(s -> s != run).toList();
      assertThat(steps).extracting(SpanData::getName).containsExactly("submit-order", "busy");
      assertThat(steps).allSatisfy(s -> {
        assertThat(s.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(s.getParentSpanId()).isEqualTo(run.getSpanId());
        assertThat(s.getAttributes().get(JourneyRunner.JOURNEY)).isEqualTo("traced");
        assertThat(s.getAttributes().get(JourneyRunner.VANTAGE)).isEqualTo("ext-1");
        assertThat(s.getAttributes().get(JourneyRunner.CLOUD)).isEqualTo("primary");
      });
      assertThat(steps.get(0).getAttributes().get(JourneyRunner.STEP)).isEqualTo("submit-order");
      assertThat(steps.get(0).getAttributes().get(JourneyRunner.HTTP_STATUS)).isEqualTo(201L);
      assertThat(steps.get(1).getAttributes().get(JourneyRunner.HTTP_STATUS)).isEqualTo(503L);
      assertThat(steps.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      String sentSpanId = seen.get(0).headers().get("traceparent").split("-")[2];
      assertThat(sentSpanId).isEqualTo(steps.get(0).getSpanId());
      tracing.close();
      ctx.completeNow();
    })));
  }

  @Test
  void missingEnvironmentVariableFailsTheStepWithoutSendingIt(Vertx vertx, VertxTestContext ctx) {
    Journey journey = Journeys.parse(dir, """
        journey: secret
        steps:
          - name: login
            request: {method: POST, path: /orders, headers: {Authorization: "Bearer {{env:TANDEM_TEST_UNSET}}"}}
        """);
    JourneyRunner runner = JourneyRunner.builder(vertx, client, sink::add)
        .env(name -> null).settings(FAST).build();

    runner.run(journey, target, VANTAGE).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
      assertThat(probes(result).get(0).error()).isEqualTo("template: environment variable TANDEM_TEST_UNSET is not set");
      assertThat(seen).isEmpty();
      ctx.completeNow();
    })));
  }

  private static final class Collecting implements SpanExporter {
    private final List<SpanData> spans;

    Collecting(List<SpanData> spans) {
      this.spans = spans;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      spans.addAll(batch);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
