package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.controller.Decision;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.Validation;
import dev.tandem.server.demo.LoopDemo;
import dev.tandem.server.demo.Scenario;
import io.vertx.core.Vertx;
import java.nio.file.Files;
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
 * The demo's loop in one process: three observers with their own vantages and paths, the
 * controller, the simulator's traffic manager and customer traffic through it.
 */
class LoopDemoIT {
  @TempDir
  Path dir;

  private Vertx vertx;
  private LoopDemo demo;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Path file = TestConfigs.fastDemo(dir, "");
    // Three observers in one JVM on a shared CI machine: probes every 2 s rather than 1 s.
    Files.writeString(file, Files.readString(file)
        .replace("intervalSeconds: 1\n  timeoutSeconds: 1", "intervalSeconds: 2\n  timeoutSeconds: 2")
        // No anti-flap (the demo's controller takes the observers'): after the switch only the
        // health logic can keep it from switching again, so 'no second switch' tests that logic.
        .replace("holdDownSeconds: 3, quorum: 2, probeWindowSeconds: 10, pathSilenceSeconds: 6",
            "holdDownSeconds: 4, quorum: 2, probeWindowSeconds: 12, pathSilenceSeconds: 10, antiFlapSeconds: 0"));
    Validation.Result config = TestConfigs.load(file);
    demo = LoopDemo.start(vertx, config.config().get(), config.journeys(), config.sloSpecs(), Clock.systemUTC(),
        Map.of("primary", 0, "secondary", 0)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      for (TandemNode n : demo.observers()) {
        Verdict v = n.engine().current("order-platform").orElseThrow();
        assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
        assertThat(v.clouds().get("secondary").ready()).as(v.reason()).isTrue();
      }
    });
  }

  @AfterEach
  void stop() throws Exception {
    if (demo != null) {
      demo.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Recommendation recommendation(int observer) {
    return demo.observers().get(observer).engine().current("order-platform").orElseThrow().recommendation();
  }

  private void observersAreIndependent() {
    assertThat(demo.observerConfigs()).extracting(c -> c.observer().id()).containsExactlyElementsOf(LoopDemo.OBSERVERS);
    assertThat(demo.observers()).extracting(TandemNode::apiPort).doesNotHaveDuplicates();
    assertThat(demo.observerConfigs()).extracting(c -> c.storage().dir()).doesNotHaveDuplicates();
    assertThat(demo.observerConfigs().get(2).synthetics().orElseThrow().vantages())
        .extracting(v -> v.id()).containsExactly("external-ext-1", "external-in-primary", "external-in-secondary");
    // Each observer judges from its own vantages only (its probe board lists no other).
    try {
      java.net.http.HttpResponse<String> probes = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
              + demo.observers().get(1).apiPort() + "/api/v1/probes")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      com.fasterxml.jackson.databind.JsonNode cells = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(probes.body()).get("cells");
      assertThat(cells).isNotEmpty();
      assertThat(cells).allSatisfy(c -> assertThat(c.get("vantage").asText()).startsWith("secondary-"));
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError("cannot read obs-secondary's probes", e);
    }
  }

  @Test
  void aPartitionedObserverAloneIsRefusedAndTheControllerSaysWhy() {
    observersAreIndependent();
    demo.play(Scenario.PARTITIONED_OBSERVER, Duration.ZERO);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(recommendation(2)).isEqualTo(Recommendation.FAILOVER);
      Decision d = demo.controller().lastDecision("order-platform").orElseThrow();
      assertThat(d.outcome()).isEqualTo(Decision.Outcome.REFUSED);
      assertThat(d.reason()).isEqualTo(Decision.Reason.BELOW_QUORUM);
      assertThat(d.explanation()).contains("1 of 3", "obs-external", "quorum is 2");
    });
    assertThat(recommendation(0)).isEqualTo(Recommendation.STAY);
    assertThat(recommendation(1)).isEqualTo(Recommendation.STAY);
    await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() ->
        demo.sim().active().equals("primary") && demo.controller().controller().lastSwitch("order-platform") == null);
  }

  @Test
  void aCloudOutageClosesTheLoopAndIsMeasured() {
    assertThat(demo.controller().config().antiFlap()).isZero();
    List<Decision> decisions = new CopyOnWriteArrayList<>();
    demo.onDecision(decisions::add);
    demo.play(Scenario.CLOUD_OUTAGE, Duration.ZERO);
    await().atMost(Duration.ofSeconds(90)).until(() -> demo.sim().active().equals("secondary"));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (TandemNode n : demo.observers()) {
        Verdict v = n.engine().current("order-platform").orElseThrow();
        assertThat(v.clouds().get("secondary").role()).isEqualTo("active");
        assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
      }
      assertThat(demo.figures()).isPresent();
    });
    List<String> figures = demo.figures().orElseThrow();
    assertThat(figures.get(0)).startsWith("outage to switch: ").contains("from primary to secondary");
    assertThat(figures.get(1)).contains("first order-to-invoice journey completed on secondary (RTO)");
    assertThat(figures.get(2)).startsWith("replication lag of secondary at the switch (RPO");
    assertThat(demo.firstJourneyOnNewActive().orElseThrow().cloud()).isEqualTo("secondary");
    assertThat(demo.lastSwitch().orElseThrow().lagSeconds()).isPresent();
    assertThat(demo.controller().recovery("order-platform")).hasValueSatisfying(r ->
        assertThat(r.lagAtSwitchSeconds()).isNotNull());
    // No second switch: the new active is healthy, the old one is still down. With no anti-flap
    // period, that is the observers' health logic and the quorum, not ANTI_FLAP.
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> demo.sim().active().equals("secondary"));
    assertThat(decisions).filteredOn(d -> d.outcome() == Decision.Outcome.SWITCHED).hasSize(1);
    assertThat(decisions).noneMatch(d -> d.reason() == Decision.Reason.ANTI_FLAP);
    assertThat(demo.controller().lastDecision("order-platform")).hasValueSatisfying(d -> {
      assertThat(d.outcome()).isEqualTo(Decision.Outcome.STAY);
      assertThat(d.reason()).isEqualTo(Decision.Reason.NO_FAILOVER_VOTES);
      assertThat(d.active()).isEqualTo("secondary");
    });
  }
}
