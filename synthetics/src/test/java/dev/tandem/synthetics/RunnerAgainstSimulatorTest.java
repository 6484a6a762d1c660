package dev.tandem.synthetics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.yaml.Problems;
import dev.tandem.sim.CloudFaults;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The demo journeys against the real two-cloud simulator, healthy and under each fault. */
@ExtendWith(VertxExtension.class)
class RunnerAgainstSimulatorTest {
  static final List<Vantage> VANTAGES = List.of(new Vantage("ext-1", "third-party", "eu"),
      new Vantage("in-primary", "primary", "eu-west"), new Vantage("in-secondary", "secondary", "eu-central"));
  private static final ProbeSettings SETTINGS = ProbeSettings.of(Duration.ofSeconds(5), Duration.ofSeconds(2))
      .withRetries(2, Duration.ofMillis(20));

  @TempDir Path dir;

  private final List<Observation> sink = new CopyOnWriteArrayList<>();
  private PlatformSimulator sim;
  private WebClient client;
  private JourneyRunner runner;
  private Target primary;
  private Target secondary;

  static Journey demo(String file) {
    try {
      Path path = Path.of(RunnerAgainstSimulatorTest.class.getResource("/journeys/" + file).toURI());
      Problems problems = new Problems();
      Journey journey = JourneyParser.parse(path, problems).orElse(null);
      assertThat(problems.sorted()).as("problems in " + file).isEmpty();
      return journey;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T join(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    sim = PlatformSimulator.create(vertx, SimSettings.builder()
        .replicationDelay(Duration.ofMillis(100)).random(new SplittableRandom(11)).build());
    join(sim.start());
    client = WebClient.create(vertx);
    runner = JourneyRunner.builder(vertx, client, sink::add).settings(SETTINGS).build();
    primary = new Target("primary", sim.baseUrl("primary"));
    secondary = new Target("secondary", sim.baseUrl("secondary"));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    join(sim.stop());
  }

  private RunResult run(Journey journey, Target target, Vantage vantage) throws Exception {
    return join(runner.run(journey, target, vantage));
  }

  private static List<String> outcomes(RunResult result) {
    return result.steps().stream()
        .map(o -> o.step() + (o.ok() ? " ok" : " " + o.error() + " x" + o.attempts()))
        .toList();
  }

  @Test
  void healthyPlatformPassesEveryJourneyInItsRoleFromEveryVantage() throws Exception {
    Journey orders = demo("order-to-invoice.yaml");
    Journey stock = demo("stock-lookup.yaml");
    Journey readiness = demo("standby-readiness.yaml");
    // The standby needs the canary replicated once, as a new replica needs its first catch-up.
    await().atMost(Duration.ofSeconds(5)).until(() -> run(readiness, secondary, VANTAGES.get(0)).ok());
    sink.clear();

    for (Vantage vantage : VANTAGES) {
      RunResult order = run(orders, primary, vantage);
      assertThat(outcomes(order)).as(vantage.id()).containsExactly("submit-order ok", "allocate ok",
          "pick-confirm ok", "ship-confirm ok", "invoice ok", "cleanup ok");
      assertThat(run(stock, primary, vantage).ok()).isTrue();
      assertThat(run(stock, secondary, vantage).ok()).isTrue();
      RunResult ready = run(readiness, secondary, vantage);
      assertThat(outcomes(ready)).containsExactly("health ok", "inventory-read ok", "replicated-order-read ok");
    }
    assertThat(sink).hasSize(VANTAGES.size() * (6 + 2 + 2 + 3));
    assertThat(sink).allSatisfy(o -> assertThat(((ProbeObservation) o).ok()).isTrue());
  }

  @Test
  void standbyRefusesTheWriteJourneyWhichIsWhyItRunsOnlyAgainstTheActive() throws Exception {
    Journey orders = demo("order-to-invoice.yaml");

    RunResult result = run(orders, secondary, VANTAGES.get(0));

    assertThat(orders.runsAgainst("standby")).isFalse();
    assertThat(outcomes(result)).containsExactly("submit-order status 409, expected [201] x1");
    assertThat(result.skipped()).containsExactly("allocate", "pick-confirm", "ship-confirm", "invoice", "cleanup");
  }

  @Test
  void downCloudIsConnectRefusedFromEveryVantageAfterTheRetries() throws Exception {
    Journey orders = demo("order-to-invoice.yaml");
    Journey stock = demo("stock-lookup.yaml");
    join(sim.applyFaults("primary", CloudFaults.none().withDown(true)));

    for (Vantage vantage : VANTAGES) {
      RunResult result = run(orders, primary, vantage);
      assertThat(outcomes(result)).as(vantage.id()).containsExactly("submit-order connect refused x3");
      // cleanup is an always step, but there is no order to clean up: skipped, not reported.
      assertThat(result.skipped()).containsExactly("allocate", "pick-confirm", "ship-confirm", "invoice", "cleanup");
      assertThat(outcomes(run(stock, primary, vantage))).containsExactly("inventory-lookup connect refused x3");
      assertThat(run(stock, secondary, vantage).ok()).isTrue();
    }
  }

  @Test
  void errorRateOnAllocateFailsOnlyAllocateWith503AndIsNotRetried() throws Exception {
    Journey orders = demo("order-to-invoice.yaml");
    sim.setFaults("primary", CloudFaults.none().withErrorRate("allocate", 1.0));

    for (Vantage vantage : VANTAGES) {
      RunResult result = run(orders, primary, vantage);
      assertThat(outcomes(result)).as(vantage.id()).containsExactly("submit-order ok",
          "allocate status 503, expected [200] x1", "cleanup ok");
      assertThat(result.ok()).isFalse();
      assertThat(result.skipped()).containsExactly("pick-confirm", "ship-confirm", "invoice");
    }
  }

  @Test
  void refusedVantageFailsOnlyFromThatVantage() throws Exception {
    Journey orders = demo("order-to-invoice.yaml");
    Journey stock = demo("stock-lookup.yaml");
    sim.setFaults("primary", CloudFaults.none().withRefusedVantage("ext-1"));

    RunResult cut = run(orders, primary, VANTAGES.get(0));
    assertThat(outcomes(cut)).containsExactly("submit-order connection closed before response x3");
    assertThat(run(stock, secondary, VANTAGES.get(0)).ok()).as("ext-1 still reaches the secondary").isTrue();
    for (Vantage other : VANTAGES.subList(1, 3)) {
      assertThat(run(orders, primary, other).ok()).as(other.id()).isTrue();
    }
  }

  @Test
  void addedLatencyFailsTheLatencyAssertionOnlyWhereItIsOverTheBound() throws Exception {
    Journey bounded = Journeys.parse(dir, """
        journey: stock-fast
        roles: [both]
        steps:
          - name: inventory-lookup
            request: {method: GET, path: /inventory/SKU-1}
            expect: {status: [200], maxLatencyMs: 200}
          - name: health
            request: {method: GET, path: /healthz}
        """);
    sim.setFaults("primary", CloudFaults.none().withLatencyMs(300));

    RunResult slow = run(bounded, primary, VANTAGES.get(0));
    RunResult fast = run(bounded, secondary, VANTAGES.get(0));

    assertThat(slow.steps()).hasSize(1);
    ProbeObservation failed = slow.steps().get(0);
    assertThat(failed.ok()).isFalse();
    assertThat(failed.error()).matches("latency \\d+ ms over 200 ms");
    assertThat(failed.latencyMs()).isGreaterThanOrEqualTo(300);
    assertThat(failed.attempts()).isEqualTo(1);
    assertThat(fast.ok()).isTrue();
  }

  @Test
  void replayedSubmitWithTheSameIdempotencyKeyNeverDuplicatesTheOrder() throws Exception {
    Journey twice = Journeys.parse(dir, """
        journey: submit-twice
        steps:
          - name: first
            request: {method: POST, path: /orders, headers: {Idempotency-Key: fixed-key-1}, json: {sku: SKU-1, qty: 1, customer: synthetic}}
            expect: {status: [201]}
            extract: {firstId: "$.id"}
          - name: replay
            request: {method: POST, path: /orders, headers: {Idempotency-Key: fixed-key-1}, json: {sku: SKU-1, qty: 1, customer: synthetic}}
            expect: {status: [201], headers: {Idempotent-Replayed: "true"}, jsonPath: {"$.status": SUBMITTED}}
            extract: {replayId: "$.id"}
          - name: same-order
            request: {method: GET, path: "/orders/{{replayId}}"}
            expect: {jsonPath: {"$.status": SUBMITTED}}
        """);
    long before = orders();

    RunResult result = run(twice, primary, VANTAGES.get(1));

    assertThat(outcomes(result)).containsExactly("first ok", "replay ok", "same-order ok");
    assertThat(orders()).isEqualTo(before + 1);
  }

  private long orders() throws Exception {
    return join(client.getAbs(primary.baseUrl() + "/healthz").send()).bodyAsJsonObject().getLong("orders");
  }
}
