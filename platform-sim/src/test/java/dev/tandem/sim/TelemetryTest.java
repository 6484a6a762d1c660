package dev.tandem.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class TelemetryTest {
  private static final Duration SETTLE = Duration.ofMillis(700); // longer than an in-flight export
  private final OffsetClock clock = new OffsetClock();
  private final OtlpReceiver primaryPath = new OtlpReceiver();
  private final OtlpReceiver secondaryPath = new OtlpReceiver();
  private final SplittableRandom traceIds = new SplittableRandom(3);
  private PlatformSimulator sim;
  private TestHttp http;
  private String primary;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    TestHttp.await(primaryPath.start(vertx));
    TestHttp.await(secondaryPath.start(vertx));
    sim = PlatformSimulator.create(vertx, SimSettings.builder()
        .primary("primary", "eu-west", 0, primaryPath.endpoint())
        .secondary("secondary", "eu-central", 0, secondaryPath.endpoint())
        .spanExportInterval(Duration.ofMillis(200))
        .metricExportInterval(Duration.ofMillis(300))
        .replicationDelay(Duration.ofMillis(300))
        .clock(clock)
        .random(new SplittableRandom(11))
        .build());
    TestHttp.await(sim.start());
    http = new TestHttp(vertx);
    primary = sim.baseUrl("primary");
  }

  @AfterEach
  void stop() throws Exception {
    TestHttp.await(sim.stop());
  }

  @Test
  void everyRequestExportsAServerSpanFromItsService() throws Exception {
    String submitTrace = newTraceId();
    String id = http.submit(primary, traceparent(submitTrace)).bodyAsJsonObject().getString("id");
    String allocateTrace = newTraceId();
    http.send(io.vertx.core.http.HttpMethod.POST, primary + "/orders/" + id + "/allocation", traceparent(allocateTrace), null);

    OtlpReceiver.ReceivedSpan submit = awaitSpan(primaryPath, submitTrace);
    assertThat(submit.span().getName()).isEqualTo("POST /orders");
    assertThat(submit.span().getKind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
    assertThat(submit.resourceAttribute("service.name")).isEqualTo("order-service");
    assertThat(submit.resourceAttribute("tandem.cloud")).isEqualTo("primary");
    assertThat(submit.resourceAttribute("cloud.region")).isEqualTo("eu-west");
    assertThat(submit.attribute("http.request.method")).isEqualTo("POST");
    assertThat(submit.attribute("http.route")).isEqualTo("/orders");
    assertThat(submit.longAttribute("http.response.status_code")).isEqualTo(201);
    assertThat(submit.span().getStatus().getCode()).isNotEqualTo(StatusCode.STATUS_CODE_ERROR);

    OtlpReceiver.ReceivedSpan allocate = awaitSpan(primaryPath, allocateTrace);
    assertThat(allocate.span().getName()).isEqualTo("POST /orders/{id}/allocation");
    assertThat(allocate.resourceAttribute("service.name")).isEqualTo("inventory-service");
    assertThat(secondaryPath.spans()).noneMatch(s -> traceIdOf(s).equals(submitTrace));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(durationPoints(primaryPath))
        .anySatisfy(p -> {
          assertThat(OtlpReceiver.stringValue(p.getAttributesList(), "http.route")).isEqualTo("/orders/{id}/allocation");
          assertThat(p.getCount()).isEqualTo(1);
        }));
  }

  @Test
  void injectedServerErrorsMarkTheSpanAsError() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withErrorRate("submit", 1.0));
    String trace = newTraceId();

    assertThat(http.submit(primary, traceparent(trace)).statusCode()).isEqualTo(503);

    OtlpReceiver.ReceivedSpan span = awaitSpan(primaryPath, trace);
    assertThat(span.span().getStatus().getCode()).isEqualTo(StatusCode.STATUS_CODE_ERROR);
    assertThat(span.longAttribute("http.response.status_code")).isEqualTo(503);
  }

  @Test
  void telemetryOffDropsThatSignalWhileTheCloudServes() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withTelemetryOff(TelemetrySignal.TRACES));
    String silenced = newTraceId();

    assertThat(http.submit(primary, traceparent(silenced)).statusCode()).isEqualTo(201);

    long since = System.nanoTime();
    await().atMost(Duration.ofSeconds(5)).until(() -> primaryPath.metricRequestsAfter(since) >= 2);
    assertThat(primaryPath.spans()).noneMatch(s -> traceIdOf(s).equals(silenced));

    sim.setFaults("primary", CloudFaults.none().withTelemetryOff(TelemetrySignal.METRICS));
    long metricsOff = System.nanoTime() + SETTLE.toNanos();
    String heard = newTraceId();
    http.submit(primary, traceparent(heard));
    awaitSpan(primaryPath, heard);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> primaryPath.metricRequestsAfter(metricsOff) == 0);
  }

  @Test
  void downCloudTakesItsTelemetryWithIt() throws Exception {
    http.submit(primary, Map.of());
    await().atMost(Duration.ofSeconds(5)).until(() -> !primaryPath.metrics.isEmpty());

    sim.setFaults("primary", CloudFaults.none().withDown(true));
    long downAt = System.nanoTime() + SETTLE.toNanos();

    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> primaryPath.metricRequestsAfter(downAt) == 0 && primaryPath.traceRequestsAfter(downAt) == 0);
    assertThat(secondaryPath.metricRequestsAfter(downAt)).isPositive();

    sim.clearFaults("primary");
    long healed = System.nanoTime();
    await().atMost(Duration.ofSeconds(5)).until(() -> primaryPath.metricRequestsAfter(healed) > 0);
  }

  @Test
  void standbyReportsReplicationLagForItsDomain() {
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(secondaryPath.points("db.replication.lag"))
        .anySatisfy(p -> {
          assertThat(p.attribute("tandem.domain")).isEqualTo("order-platform");
          assertThat(p.resourceAttribute("tandem.cloud")).isEqualTo("secondary");
          assertThat(p.metric().getUnit()).isEqualTo("s");
          assertThat(p.point().getAsDouble()).isBetween(0.3, 5.0);
        }));
    assertThat(primaryPath.points("db.replication.lag")).isEmpty();

    sim.setActive("secondary");

    await().atMost(Duration.ofSeconds(5)).until(() -> !primaryPath.points("db.replication.lag").isEmpty());
  }

  @Test
  void lagOverrideIsReportedAsIs() {
    sim.setFaults("secondary", CloudFaults.none().withReplicationLagSeconds(120));

    await().atMost(Duration.ofSeconds(5)).until(() -> secondaryPath.points("db.replication.lag").stream()
        .anyMatch(p -> p.point().getAsDouble() == 120.0));
  }

  @Test
  void lagStaysAtItsLastValueWhilePrimaryIsDown() {
    await().atMost(Duration.ofSeconds(5)).until(() -> sim.replicationLagSeconds("secondary").orElse(0) > 0);
    sim.setFaults("primary", CloudFaults.none().withDown(true));
    // Changes already shipped still land; then nothing new arrives.
    double[] settled = {-1};
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(500)).until(() -> {
      double now = sim.replicationLagSeconds("secondary").orElseThrow();
      boolean stable = now == settled[0];
      settled[0] = now;
      return stable;
    });

    clock.advance(Duration.ofMinutes(10));

    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
        .until(() -> sim.replicationLagSeconds("secondary").orElseThrow() == settled[0]);
    assertThat(settled[0]).isLessThan(5.0);

    sim.clearFaults("primary");
    await().atMost(Duration.ofSeconds(5)).until(() -> sim.replicationLagSeconds("secondary").orElseThrow() != settled[0]);
  }

  private OtlpReceiver.ReceivedSpan awaitSpan(OtlpReceiver receiver, String traceId) {
    return await().atMost(Duration.ofSeconds(5)).until(
        () -> receiver.spans().stream().filter(s -> traceIdOf(s).equals(traceId)).findFirst(),
        Optional::isPresent).orElseThrow();
  }

  private static List<HistogramDataPoint> durationPoints(OtlpReceiver receiver) {
    return receiver.metrics.stream()
        .flatMap(r -> r.request().getResourceMetricsList().stream())
        .flatMap(rm -> rm.getScopeMetricsList().stream())
        .flatMap(sm -> sm.getMetricsList().stream())
        .filter(m -> m.getName().equals("http.server.request.duration") && m.hasHistogram())
        .flatMap(m -> m.getHistogram().getDataPointsList().stream())
        .toList();
  }

  private String newTraceId() {
    return String.format("%016x%016x", traceIds.nextLong(), traceIds.nextLong());
  }

  private static Map<String, String> traceparent(String traceId) {
    return Map.of("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
  }

  private static String traceIdOf(OtlpReceiver.ReceivedSpan span) {
    return HexFormat.of().formatHex(span.span().getTraceId().toByteArray());
  }
}
