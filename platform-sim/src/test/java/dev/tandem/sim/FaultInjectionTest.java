package dev.tandem.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class FaultInjectionTest {
  private PlatformSimulator sim;
  private TestHttp http;
  private String primary;
  private String secondary;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    sim = PlatformSimulator.create(vertx, SimSettings.builder().random(new SplittableRandom(7)).build());
    TestHttp.await(sim.start());
    http = new TestHttp(vertx);
    primary = sim.baseUrl("primary");
    secondary = sim.baseUrl("secondary");
  }

  @AfterEach
  void stop() throws Exception {
    TestHttp.await(sim.stop());
  }

  @Test
  void downCloudRefusesConnectionsUntilHealedOnTheSamePort(Vertx vertx) throws Exception {
    assertThat(http.get(primary + "/healthz").statusCode()).isEqualTo(200);
    int port = sim.port("primary");

    TestHttp.await(sim.applyFaults("primary", CloudFaults.none().withDown(true)));

    // Once applyFaults has completed, every new connection is refused at once (no waiting here:
    // the simulator waits until the kernel refuses). A pooled keep-alive connection from before
    // the outage is closed too, but its client may notice that later: it fails either way.
    TestHttp fresh = TestHttp.freshConnections(vertx);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> fresh.get(primary + "/healthz"))
          .isInstanceOf(ExecutionException.class)
          .hasRootCauseInstanceOf(ConnectException.class)
          .rootCause().hasMessageContaining("refused");
    }
    assertThatThrownBy(() -> http.get(primary + "/healthz")).isInstanceOf(ExecutionException.class);
    assertThatThrownBy(() -> fresh.submit(primary, Map.of())).isInstanceOf(ExecutionException.class);
    assertThat(fresh.get(secondary + "/healthz").statusCode()).isEqualTo(200);

    TestHttp.await(sim.applyFaults("primary", CloudFaults.none()));
    assertThat(sim.port("primary")).isEqualTo(port);
    assertThat(http.submit(primary, Map.of()).statusCode()).isEqualTo(201);
  }

  @Test
  void downSetBeforeTheRequestNeverGetsAnAnswerEvenBeforeTheSocketCloses() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withDown(true)); // no wait for the socket

    assertThatThrownBy(() -> http.get(primary + "/healthz")).isInstanceOf(ExecutionException.class);
  }

  @Test
  void errorRateOnAllocateFailsOnlyAllocation() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withErrorRate("allocate", 1.0));

    HttpResponse<Buffer> submitted = http.submit(primary, Map.of());
    String id = submitted.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> allocation = http.post(primary + "/orders/" + id + "/allocation");
    HttpResponse<Buffer> read = http.get(primary + "/orders/" + id);
    HttpResponse<Buffer> stock = http.get(primary + "/inventory/SKU-1");

    assertThat(submitted.statusCode()).isEqualTo(201);
    assertThat(allocation.statusCode()).isEqualTo(503);
    assertThat(allocation.bodyAsJsonObject().getString("error")).isEqualTo("injected_fault");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.bodyAsJsonObject().getString("status")).isEqualTo("SUBMITTED");
    assertThat(stock.statusCode()).isEqualTo(200);
    // The fault belongs to the primary: the secondary, once active, allocates.
    sim.setActive("secondary");
    String other = http.submit(secondary, Map.of()).bodyAsJsonObject().getString("id");
    assertThat(http.post(secondary + "/orders/" + other + "/allocation").statusCode()).isEqualTo(200);
  }

  @Test
  void partialErrorRateFailsSomeRequestsAndIsRepeatableForASeed() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withErrorRate("read", 0.5));

    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      statuses.add(http.get(primary + "/orders/ord-none").statusCode());
    }

    assertThat(statuses).containsOnly(404, 503);
    assertThat(statuses.stream().filter(s -> s == 503).count()).isBetween(8L, 32L);
  }

  @Test
  void refusedVantageIsPartitionedWhileOthersAreServed() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withRefusedVantage("ext-1"));

    assertThatThrownBy(() -> http.send(HttpMethod.GET, primary + "/healthz", Map.of("X-Tandem-Vantage", "ext-1"), null))
        .isInstanceOf(ExecutionException.class);
    assertThat(http.send(HttpMethod.GET, primary + "/healthz", Map.of("X-Tandem-Vantage", "in-primary"), null).statusCode())
        .isEqualTo(200);
    assertThat(http.send(HttpMethod.GET, secondary + "/healthz", Map.of("X-Tandem-Vantage", "ext-1"), null).statusCode())
        .isEqualTo(200);
  }

  @Test
  void lossyVantageLosesItsShareOfRequestsWhileOthersAreServed() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withVantageLoss("ext-1", 0.5));

    int lost = 0;
    for (int i = 0; i < 60; i++) {
      try {
        HttpResponse<Buffer> answer =
            http.send(HttpMethod.GET, primary + "/inventory/SKU-1", Map.of("X-Tandem-Vantage", "ext-1"), null);
        assertThat(answer.statusCode()).isEqualTo(200);
      } catch (ExecutionException closedWithoutAnswer) {
        lost++;
      }
    }
    for (int i = 0; i < 20; i++) {
      assertThat(http.send(HttpMethod.GET, primary + "/healthz", Map.of("X-Tandem-Vantage", "in-primary"), null)
          .statusCode()).as("another vantage").isEqualTo(200);
      assertThat(http.send(HttpMethod.GET, secondary + "/healthz", Map.of("X-Tandem-Vantage", "ext-1"), null)
          .statusCode()).as("the same vantage to the other cloud").isEqualTo(200);
      assertThat(http.get(primary + "/healthz").statusCode()).as("a request naming no vantage").isEqualTo(200);
    }

    // 60 rolls at 0.5: outside 15..45 happens about once in 10,000 seeds, and the seed is fixed.
    assertThat(lost).isBetween(15, 45);
  }

  @Test
  void aVantageLosingEverythingIsPartitionedAndZeroHealsIt() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withVantageLoss("ext-1", 1.0));
    assertThatThrownBy(() -> http.send(HttpMethod.GET, primary + "/healthz", Map.of("X-Tandem-Vantage", "ext-1"), null))
        .isInstanceOf(ExecutionException.class);

    sim.setFaults("primary", sim.faults("primary").withVantageLoss("ext-1", 0.0));

    assertThat(sim.faults("primary").isNone()).isTrue();
    assertThat(http.send(HttpMethod.GET, primary + "/healthz", Map.of("X-Tandem-Vantage", "ext-1"), null).statusCode())
        .isEqualTo(200);
  }

  @Test
  void errorRateOnEveryOperationFailsEveryOperationButTheHealthCheck() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withErrorRateOnEveryOperation(1.0));

    assertThat(sim.faults("primary").errorRate()).hasSize(Operation.values().length)
        .allSatisfy((op, rate) -> assertThat(rate).isEqualTo(1.0));
    assertThat(http.submit(primary, Map.of()).statusCode()).isEqualTo(503);
    assertThat(http.get(primary + "/inventory/SKU-1").statusCode()).isEqualTo(503);
    assertThat(http.get(primary + "/orders/ord-canary").statusCode()).isEqualTo(503);
    assertThat(http.get(primary + "/healthz").statusCode()).isEqualTo(200);
    assertThat(http.get(secondary + "/inventory/SKU-1").statusCode()).isEqualTo(200);
  }

  @Test
  void latencyDelaysEveryAnswer() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withLatencyMs(300));

    long started = System.nanoTime();
    HttpResponse<Buffer> answer = http.submit(primary, Map.of());
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(answer.statusCode()).isEqualTo(201);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(300);
  }

  @Test
  void faultPlanShowsWhatWasSet() {
    CloudFaults faults = CloudFaults.none().withLatencyMs(50).withTelemetryOff(TelemetrySignal.METRICS);
    sim.setFaults("secondary", faults);
    sim.setActive("secondary");

    FaultPlan plan = sim.faultPlan();

    assertThat(plan.active()).isEqualTo("secondary");
    assertThat(plan.clouds()).containsEntry("secondary", faults).containsEntry("primary", CloudFaults.none());
    assertThat(sim.standby()).isEqualTo("primary");
    assertThatThrownBy(() -> sim.setFaults("tertiary", faults))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown cloud 'tertiary'");
  }

  @Test
  void faultsValidateThemselves() {
    assertThatThrownBy(() -> CloudFaults.none().withErrorRate("teleport", 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown operation 'teleport'");
    assertThatThrownBy(() -> CloudFaults.none().withErrorRate("allocate", 1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> CloudFaults.none().withLatencyMs(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CloudFaults.none().withVantageLoss("ext-1", 1.2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vantageLoss.ext-1: must be between 0 and 1");
    assertThatThrownBy(() -> CloudFaults.none().withVantageLoss("ext-1", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vantageLoss.ext-1");
    assertThatThrownBy(() -> CloudFaults.none().withVantageLoss(" ", 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vantageLoss: vantage ids must not be blank");
    assertThatThrownBy(() -> CloudFaults.none().withErrorRateOnEveryOperation(-0.1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("between 0 and 1");
  }
}
