package dev.tandem.controller.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.controller.Decision;
import dev.tandem.controller.traffic.SimulatorTrafficSwitch;
import dev.tandem.controller.traffic.TrafficSwitch;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller process against three stand-in observers over real HTTP and the real simulator's
 * traffic manager: quorum, switch, reports (retried), the gate, the log and the metrics.
 */
class ControllerServiceTest {
  private static final String TOKEN = "observer-admin-token-0123456789";
  private static final String GATE_TOKEN = "controller-admin-token-0123456789";

  @TempDir
  Path dir;

  private Vertx vertx;
  private PlatformSimulator sim;
  private ControllerService service;
  private final List<FakeObserver> observers = List.of(new FakeObserver("obs-primary"),
      new FakeObserver("obs-secondary"), new FakeObserver("obs-external"));
  private final List<Decision> decisions = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    sim = PlatformSimulator.create(vertx, SimSettings.builder().build());
    join(sim.start());
    for (FakeObserver o : observers) {
      join(o.start(vertx));
    }
  }

  private void startController(String extra) throws Exception {
    startController(extra, null);
  }

  /** With {@code traffic} null, the simulator's switch; otherwise {@code traffic} wraps it. */
  private void startController(String extra, java.util.function.Function<TrafficSwitch, TrafficSwitch> traffic)
      throws Exception {
    StringBuilder yaml = new StringBuilder("observers:\n");
    for (FakeObserver o : observers) {
      yaml.append("  - {id: ").append(o.id).append(", url: \"").append(o.url()).append("\", token: \"${env:OBS_TOKEN}\"}\n");
    }
    yaml.append("""
        domains:
          - {id: order-platform, clouds: [primary, secondary], active: primary}
        quorum: 2
        pollIntervalSeconds: 0.1
        timeoutSeconds: 1
        antiFlapSeconds: 600
        gateFile: gate.closed
        reportAttempts: 4
        switch: {simulator: "%s"}
        decisionLog: decisions.jsonl
        api: {host: 127.0.0.1, port: 0, adminToken: "${file:admin.token}"}
        """.formatted(sim.adminUrl())).append(extra);
    Files.writeString(dir.resolve("admin.token"), GATE_TOKEN + "\n");
    Path file = dir.resolve("controller.yaml");
    Files.writeString(file, yaml);
    ControllerConfig config = new ControllerConfigLoader(Map.of("OBS_TOKEN", TOKEN)::get).load(file);
    TrafficSwitch simSwitch = SimulatorTrafficSwitch.create(vertx, config.simulatorAdminUrl(), config.timeout());
    service = join(ControllerService.start(vertx, config, traffic == null ? simSwitch : traffic.apply(simSwitch),
        Clock.systemUTC()));
    service.addListener(decisions::add);
  }

  @AfterEach
  void stop() throws Exception {
    if (service != null) {
      join(service.stop());
    }
    for (FakeObserver o : observers) {
      join(o.stop());
    }
    join(sim.stop());
    join(vertx.close());
  }

  private static <T> T join(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private String get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private List<JsonNode> logLines() throws Exception {
    Path log = dir.resolve("decisions.jsonl");
    if (!Files.exists(log)) {
      return List.of();
    }
    List<JsonNode> out = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      out.add(json.readTree(line));
    }
    return out;
  }

  @Test
  void twoOfThreeSwitchTheSimulatorAndEveryObserverIsTold() throws Exception {
    startController("");
    observers.get(1).failReports.set(2); // obs-secondary answers 503 twice: retried
    observers.get(0).activeHealth.set("UNHEALTHY");
    observers.get(0).recommendation.set("FAILOVER");
    observers.get(2).recommendation.set("FAILOVER");

    await().atMost(Duration.ofSeconds(10)).until(() -> sim.active().equals("secondary"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      for (FakeObserver o : observers) {
        assertThat(o.reports).as(o.id).containsExactly("secondary");
      }
    });
    assertThat(observers.get(1).authorizations).contains("Bearer " + TOKEN);
    assertThat(service.controller().active("order-platform")).isEqualTo("secondary");

    // Every observer now says STAY on secondary: no second switch, and the outage is measured.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(service.recovery("order-platform")).hasValueSatisfying(r -> {
        assertThat(r.to()).isEqualTo("secondary");
        assertThat(r.lagAtSwitchSeconds()).isEqualTo(1.5);
        assertThat(r.timeToRecover()).isPresent();
      });
      assertThat(logLines()).anySatisfy(l -> {
        assertThat(l.get("type").asText()).isEqualTo("report");
        assertThat(l.get("observer").asText()).isEqualTo("obs-secondary");
        assertThat(l.get("ok").asBoolean()).isTrue();
        assertThat(l.get("attempts").asInt()).isEqualTo(3);
      });
    });
    assertThat(decisions).filteredOn(d -> d.outcome() == Decision.Outcome.SWITCHED).hasSize(1);
    JsonNode switched = logLines().stream().filter(l -> l.path("outcome").asText().equals("SWITCHED"))
        .findFirst().orElseThrow();
    assertThat(switched.get("reason").asText()).isEqualTo("QUORUM");
    assertThat(switched.get("target").asText()).isEqualTo("secondary");
    assertThat(switched.get("votes")).hasSize(3);
    assertThat(switched.at("/votes/1/vote").asText()).isEqualTo("STAY");

    String metrics = get("/metrics");
    assertThat(metrics).contains(
        "tandem_controller_decisions_total{domain=\"order-platform\",outcome=\"SWITCHED\",reason=\"QUORUM\"} 1.0",
        "tandem_controller_active{cloud=\"secondary\",domain=\"order-platform\"} 1.0",
        "tandem_controller_observer_reachable{observer=\"obs-external\"} 1.0",
        "tandem_controller_rpo_seconds{domain=\"order-platform\"} 1.5");
    assertThat(metrics).containsPattern("tandem_controller_rto_seconds\\{domain=\"order-platform\"} [0-9.]+");
    JsonNode status = json.readTree(get("/status"));
    assertThat(status.at("/domains/0/active").asText()).isEqualTo("secondary");
    assertThat(status.at("/domains/0/lastOutage/rpoSeconds").asDouble()).isEqualTo(1.5);
    // The tokens never reach the log or the status.
    assertThat(Files.readString(dir.resolve("decisions.jsonl"))).doesNotContain(TOKEN, GATE_TOKEN);
    assertThat(get("/status")).doesNotContain(TOKEN, GATE_TOKEN);
  }

  @Test
  void everyReportNamesTheController() throws Exception {
    startController("id: controller-eu\n");
    observers.get(0).recommendation.set("FAILOVER");
    observers.get(2).recommendation.set("FAILOVER");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      for (FakeObserver o : observers) {
        assertThat(o.reportedBy).as(o.id).containsExactly("controller-eu");
      }
    });
  }

  /**
   * An observer that missed the switch (down, or restarted with an older one in memory) names the
   * old active cloud: it is told again, and a refusal is not hammered: once per re-tell period.
   */
  @Test
  void anObserverNamingAnotherActiveCloudIsToldAgainAtMostOncePerPeriod() throws Exception {
    observers.get(1).active.set("secondary");
    observers.get(2).active.set("secondary");
    observers.get(2).failReports.set(100);
    observers.get(2).reportStatus.set(409);
    startController("");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(observers.get(1).reports).containsExactly("primary");
      assertThat(observers.get(1).reportedBy).containsExactly(ControllerConfig.DEFAULT_ID);
      assertThat(observers.get(2).puts.get()).isEqualTo(1);
    });
    // Many rounds later: the told observer agrees, the refusing one was not asked again yet.
    int seen = decisions.size();
    await().atMost(Duration.ofSeconds(10)).until(() -> decisions.size() > seen + 20);
    assertThat(observers.get(1).reports).containsExactly("primary");
    assertThat(observers.get(2).puts.get()).isEqualTo(1);
    assertThat(observers.get(0).puts.get()).isZero();
    assertThat(sim.active()).isEqualTo("primary");
  }

  @Test
  void oneOfThreeIsRefusedAndTheLogSaysWhy() throws Exception {
    startController("");
    observers.get(2).recommendation.set("FAILOVER");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logLines()).anySatisfy(l -> {
      assertThat(l.get("outcome").asText()).isEqualTo("REFUSED");
      assertThat(l.get("reason").asText()).isEqualTo("BELOW_QUORUM");
      assertThat(l.get("explanation").asText()).contains("1 of 3", "obs-external", "quorum is 2");
    }));
    // Many rounds later: still primary, and repeated identical decisions were not rewritten.
    await().atMost(Duration.ofSeconds(10)).until(() -> decisions.size() > 20);
    assertThat(sim.active()).isEqualTo("primary");
    assertThat(logLines()).filteredOn(l -> l.path("outcome").asText().equals("REFUSED")).hasSize(1);
    assertThat(observers.get(0).reports).isEmpty();
  }

  @Test
  void anUnreachableObserverIsUnknownNotAVote() throws Exception {
    startController("");
    observers.get(0).recommendation.set("FAILOVER");
    join(observers.get(1).stop());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(get("/metrics")).contains("tandem_controller_observer_reachable{observer=\"obs-secondary\"} 0.0");
      assertThat(service.lastDecision("order-platform")).hasValueSatisfying(d -> {
        assertThat(d.reason()).isEqualTo(Decision.Reason.BELOW_QUORUM);
        assertThat(d.votes().get(1).note()).startsWith("unreachable");
      });
    });
    assertThat(sim.active()).isEqualTo("primary");
  }

  @Test
  void theGateFileAndTheAdminGateBlockEverySwitch() throws Exception {
    startController("");
    Files.writeString(dir.resolve("gate.closed"), "maintenance");
    observers.forEach(o -> o.recommendation.set("FAILOVER"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(service.lastDecision("order-platform"))
        .hasValueSatisfying(d -> assertThat(d.reason()).isEqualTo(Decision.Reason.GATE_CLOSED)));

    HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
        + "/api/v1/gate")).PUT(HttpRequest.BodyPublishers.ofString("{\"closed\": true}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(noToken.statusCode()).isEqualTo(401);
    HttpResponse<String> closed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
        + "/api/v1/gate")).header("Authorization", "Bearer " + GATE_TOKEN)
        .PUT(HttpRequest.BodyPublishers.ofString("{\"closed\": true, \"reason\": \"incident 42\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(closed.statusCode()).isEqualTo(200);
    Files.delete(dir.resolve("gate.closed"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(service.lastDecision("order-platform"))
        .hasValueSatisfying(d -> assertThat(d.explanation()).contains("incident 42")));
    assertThat(sim.active()).isEqualTo("primary");

    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/api/v1/gate"))
        .header("Authorization", "Bearer " + GATE_TOKEN)
        .PUT(HttpRequest.BodyPublishers.ofString("{\"closed\": false}")).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> sim.active().equals("secondary"));
  }

  @Test
  void aReportRefusedWithA4xxIsNotRetriedAndIsRecorded() throws Exception {
    startController("");
    observers.get(2).failReports.set(100);
    observers.get(2).reportStatus.set(403);
    observers.get(0).recommendation.set("FAILOVER");
    observers.get(1).recommendation.set("FAILOVER");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logLines()).anySatisfy(l -> {
      assertThat(l.get("type").asText()).isEqualTo("report");
      assertThat(l.get("observer").asText()).isEqualTo("obs-external");
      assertThat(l.get("ok").asBoolean()).isFalse();
      assertThat(l.get("attempts").asInt()).isEqualTo(1);
      assertThat(l.get("error").asText()).contains("HTTP 403");
    }));
    assertThat(get("/metrics")).contains(
        "tandem_controller_reports_total{observer=\"obs-external\",result=\"failed\"} 1.0");
  }

  @Test
  void aSwitchThatLandsAlthoughItFailedIsReconciledAndEveryObserverIsTold() throws Exception {
    // The backend takes the switch, but its answer is lost: the controller counts it as failed.
    startController("", sim -> new TrafficSwitch() {
      @Override
      public java.util.concurrent.CompletionStage<Void> activate(String domain, String cloud) {
        return sim.activate(domain, cloud).thenCompose(v -> java.util.concurrent.CompletableFuture.failedFuture(
            new IllegalStateException("connection reset before the answer")));
      }

      @Override
      public java.util.concurrent.CompletionStage<java.util.Optional<String>> active(String domain) {
        return sim.active(domain);
      }
    });
    observers.get(0).recommendation.set("FAILOVER");
    observers.get(2).recommendation.set("FAILOVER");

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(service.controller().active("order-platform")).isEqualTo("secondary");
      for (FakeObserver o : observers) {
        assertThat(o.reports).as(o.id).containsExactly("secondary");
      }
    });
    assertThat(sim.active()).isEqualTo("secondary");
    assertThat(service.controller().lastSwitch("order-platform")).isNotNull();
    assertThat(decisions).extracting(Decision::outcome)
        .containsSubsequence(Decision.Outcome.SWITCH_FAILED, Decision.Outcome.RECONCILED);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(logLines()).anySatisfy(l -> {
      assertThat(l.path("outcome").asText()).isEqualTo("RECONCILED");
      assertThat(l.path("reason").asText()).isEqualTo("TRAFFIC_SWITCH_DIFFERS");
      assertThat(l.path("active").asText()).isEqualTo("primary");
      assertThat(l.path("target").asText()).isEqualTo("secondary");
      assertThat(l.path("explanation").asText()).contains("failed: ", "connection reset before the answer");
    }));
    assertThat(get("/metrics")).contains("tandem_controller_decisions_total{domain=\"order-platform\","
        + "outcome=\"RECONCILED\",reason=\"TRAFFIC_SWITCH_DIFFERS\"} 1.0");
  }

  @Test
  void anOperatorsSwitchByHandIsNoticedByThePeriodicCheck() throws Exception {
    startController("");
    await().atMost(Duration.ofSeconds(10)).until(() -> decisions.size() > 2);
    sim.setActive("secondary"); // an operator, straight at the traffic manager
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(service.controller().active("order-platform")).isEqualTo("secondary");
      for (FakeObserver o : observers) {
        assertThat(o.reports).as(o.id).containsExactly("secondary");
      }
    });
    assertThat(decisions).filteredOn(d -> d.outcome() == Decision.Outcome.RECONCILED).singleElement()
        .satisfies(d -> assertThat(d.explanation()).contains("periodic check"));
    assertThat(decisions).noneMatch(d -> d.outcome() == Decision.Outcome.SWITCHED);
  }

  @Test
  void anObserverTricklingBytesIsUnknownAfterTheTimeoutAndDoesNotHoldTheRounds() throws Exception {
    startController("");
    observers.get(1).trickle.set(true);
    observers.get(0).recommendation.set("FAILOVER");
    observers.get(2).recommendation.set("FAILOVER");
    await().atMost(Duration.ofSeconds(15)).until(() -> decisions.stream()
        .anyMatch(d -> d.outcome() == Decision.Outcome.SWITCHED));
    assertThat(sim.active()).isEqualTo("secondary");
    Decision switched = decisions.stream().filter(d -> d.outcome() == Decision.Outcome.SWITCHED).findFirst()
        .orElseThrow();
    assertThat(switched.votes().get(1).vote()).isEqualTo(dev.tandem.controller.Vote.UNKNOWN);
    assertThat(switched.votes().get(1).note()).isEqualTo("no complete answer within 1000 ms");
    // Rounds go on while it still trickles.
    int seen = decisions.size();
    await().atMost(Duration.ofSeconds(15)).until(() -> decisions.size() >= seen + 3);
  }

  @Test
  void aRestartedControllerKeepsTheAntiFlapPeriodOfTheSwitchInItsLog() throws Exception {
    // A previous run switched back to primary a minute ago (antiFlapSeconds is 600).
    Files.writeString(dir.resolve("decisions.jsonl"), "{\"ts\":\"" + Instant.now().minusSeconds(60)
        + "\",\"type\":\"decision\",\"domain\":\"order-platform\",\"outcome\":\"SWITCHED\","
        + "\"reason\":\"QUORUM\",\"active\":\"secondary\",\"target\":\"primary\"}\n");
    startController("");
    assertThat(service.controller().lastSwitch("order-platform")).isNotNull();
    observers.forEach(o -> o.recommendation.set("FAILOVER"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(service.lastDecision("order-platform"))
        .hasValueSatisfying(d -> {
          assertThat(d.reason()).isEqualTo(Decision.Reason.ANTI_FLAP);
          assertThat(d.explanation()).contains("switched to primary only ", " s ago");
        }));
    assertThat(sim.active()).isEqualTo("primary");
  }
}
