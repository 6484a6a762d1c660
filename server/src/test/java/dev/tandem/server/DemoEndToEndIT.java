package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.Validation;
import dev.tandem.server.demo.Demo;
import dev.tandem.server.demo.Scenario;
import dev.tandem.server.paging.EventsV2Receiver;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop in one process, for real: simulator, two OTLP paths, probes from three vantages,
 * engine, API. Short intervals (1 s probes, 3 s hold-down) keep it quick.
 */
class DemoEndToEndIT {
  @TempDir
  Path dir;

  private Vertx vertx;
  private Demo demo;
  private final List<Verdict> changes = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();

  private EventsV2Receiver pagerDuty;
  private Validation.Result config;

  @BeforeEach
  void startDemo() throws Exception {
    vertx = Vertx.vertx();
    pagerDuty = new EventsV2Receiver(vertx).start(0);
    Validation.Result loaded = TestConfigs.load(TestConfigs.fastDemo(dir, "paging:\n"
        + "  pagerduty: {url: \"" + pagerDuty.url() + "\", routingKey: \"service-key-0123456789abcdef0123\","
        + " observabilityRoutingKey: \"observability-key-0123456789abcd\"}\n"
        + "recording: {path: observations.jsonl}\n"));
    config = loaded;
    demo = Demo.start(vertx, loaded.config().get(), loaded.journeys(), loaded.sloSpecs(), Clock.systemUTC(),
        Map.of("primary", 0, "secondary", 0)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    demo.node().engine().addListener((prev, next) -> changes.add(next));
    // Baseline: both clouds healthy, standby ready (its lag arrives over path-b's OTLP).
    await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
      Verdict v = current();
      assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
      assertThat(v.clouds().get("primary").health()).isEqualTo(Health.HEALTHY);
      assertThat(v.clouds().get("secondary").ready()).isTrue();
    });
  }

  @AfterEach
  void stop() throws Exception {
    if (demo != null) {
      demo.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    assertThat(pagerDuty.violations()).as("Events v2 rule violations").isEmpty();
    pagerDuty.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Accepted events as "action severity routing-key dedup-key". */
  private List<String> pages() {
    return pagerDuty.accepted().stream().map(b -> b.path("event_action").asText() + " "
        + b.at("/payload/severity").asText() + " " + b.path("routing_key").asText() + " "
        + b.path("dedup_key").asText()).toList();
  }

  private Verdict current() {
    return demo.node().engine().current("order-platform").orElseThrow();
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + demo.node().apiPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return json.readTree(r.body());
  }

  @Test
  void cloudOutageGoesFromStayToFailover() throws Exception {
    JsonNode before = get("/api/v1/verdicts/order-platform");
    assertThat(before.get("recommendation").asText()).isEqualTo("STAY");
    assertThat(before.at("/clouds/secondary/role").asText()).isEqualTo("standby");
    assertThat(before.at("/clouds/secondary/replicationLagSeconds").isNumber()).isTrue();

    demo.play(Scenario.CLOUD_OUTAGE, Duration.ZERO);

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(current().recommendation()).isEqualTo(Recommendation.FAILOVER));
    JsonNode after = get("/api/v1/verdicts");
    JsonNode verdict = after.get("verdicts").get(0);
    assertThat(verdict.get("recommendation").asText()).isEqualTo("FAILOVER");
    assertThat(verdict.at("/clouds/primary/fault").asText()).isEqualTo("CLOUD_WIDE");
    assertThat(verdict.at("/clouds/primary/health").asText()).isEqualTo("UNHEALTHY");
    assertThat(verdict.at("/clouds/primary/evidence").size()).isPositive();
    assertThat(verdict.get("reason").asText()).contains("secondary");
    // FAILOVER came only after a STAY that was confirming the outage (hold-down), never first.
    assertThat(changes).extracting(Verdict::recommendation)
        .containsSubsequence(Recommendation.STAY, Recommendation.FAILOVER);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(pages()).contains(
        "trigger critical service-key-0123456789abcdef0123 tandem/order-platform/primary/CLOUD_WIDE"));
    assertThat(pages()).filteredOn(p -> p.startsWith("trigger critical")).hasSize(1);

    // Determinism: replaying what was recorded gives the same recommendations, in the same order.
    demo.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    demo = null;
    java.io.StringWriter replayed = new java.io.StringWriter();
    try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(dir.resolve("observations.jsonl"))) {
      new dev.tandem.engine.replay.Replay(TandemNode.engineSpec(config.config().get()), config.sloSpecs())
          .run(in, replayed, n -> { });
    }
    List<String> live = distinct(changes.stream().map(v -> v.recommendation().name()).toList());
    List<String> fromReplay = distinct(java.util.Arrays.stream(replayed.toString().split("\n"))
        .filter(l -> l.contains("\"type\":\"verdict\""))
        .map(l -> l.replaceAll(".*\"recommendation\":\"([A-Z]+)\".*", "$1")).toList());
    assertThat(fromReplay).isEqualTo(live).containsSubsequence("STAY", "FAILOVER");
  }

  private static List<String> distinct(List<String> sequence) {
    List<String> out = new java.util.ArrayList<>();
    for (String s : sequence) {
      if (out.isEmpty() || !out.get(out.size() - 1).equals(s)) {
        out.add(s);
      }
    }
    return out;
  }

  @Test
  void vantageLossNeverYieldsFailover() {
    demo.play(Scenario.VANTAGE_LOSS, Duration.ZERO);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(current().clouds().get("primary").fault()).isEqualTo(Fault.VANTAGE));
    // Several hold-downs long, the vantage's failures must never add up to a failover.
    await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(15)).until(() ->
        changes.stream().noneMatch(v -> v.recommendation() == Recommendation.FAILOVER));
    assertThat(current().recommendation()).isEqualTo(Recommendation.STAY);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(pages()).anyMatch(p ->
        p.equals("trigger warning observability-key-0123456789abcd tandem/observability/vantage/ext-1")));
    assertThat(pages()).noneMatch(p -> p.contains("critical") || p.contains("service-key"));
  }

  @Test
  void componentFaultIsComponentNotFailover() {
    demo.play(Scenario.COMPONENT_FAULT, Duration.ZERO);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Verdict v = current();
      assertThat(v.clouds().get("primary").fault()).isEqualTo(Fault.COMPONENT);
      assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    });
    assertThat(changes).noneMatch(v -> v.recommendation() == Recommendation.FAILOVER);
    // The owner is paged (error) through the SLO that burns; nobody gets a critical page.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(pages()).anyMatch(p ->
        p.equals("trigger error service-key-0123456789abcdef0123 tandem/order-platform/primary/COMPONENT")));
    assertThat(pages()).noneMatch(p -> p.contains("critical"));
  }

  @Test
  void silentTelemetryPathIsTelemetryFaultNotOutage() {
    demo.play(Scenario.TELEMETRY_PATH_LOSS, Duration.ZERO);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Verdict v = current();
      assertThat(v.clouds().get("primary").fault()).isEqualTo(Fault.TELEMETRY);
      assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    });
    assertThat(changes).noneMatch(v -> v.recommendation() == Recommendation.FAILOVER);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(pages()).contains(
        "trigger warning observability-key-0123456789abcd tandem/observability/primary/TELEMETRY"));
    assertThat(pages()).noneMatch(p -> p.contains("critical") || p.contains("service-key"));
  }
}
