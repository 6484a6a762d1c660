package dev.tandem.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The standby as a read replica: reads served, writes refused, replication that can stall. */
@ExtendWith(VertxExtension.class)
class ReadReplicaTest {
  private final OffsetClock clock = new OffsetClock();
  private PlatformSimulator sim;
  private TestHttp http;
  private String primary;
  private String secondary;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    sim = PlatformSimulator.create(vertx, SimSettings.builder()
        .replicationDelay(Duration.ofMillis(100))
        .clock(clock)
        .random(new SplittableRandom(3))
        .build());
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
  void standbyRefusesEveryWriteWithAClearErrorAndServesReads() throws Exception {
    String id = http.submit(primary, Map.of()).bodyAsJsonObject().getString("id");
    await().atMost(Duration.ofSeconds(5)).until(() -> http.get(secondary + "/orders/" + id).statusCode() == 200);

    HttpResponse<Buffer> submit = http.submit(secondary, Map.of("Idempotency-Key", "k-standby"));
    HttpResponse<Buffer> allocate = http.post(secondary + "/orders/" + id + "/allocation");
    HttpResponse<Buffer> delete = http.send(HttpMethod.DELETE, secondary + "/orders/" + id, Map.of(), null);
    HttpResponse<Buffer> read = http.get(secondary + "/orders/" + id);
    HttpResponse<Buffer> stock = http.get(secondary + "/inventory/SKU-1");

    for (HttpResponse<Buffer> write : java.util.List.of(submit, allocate, delete)) {
      assertThat(write.statusCode()).isEqualTo(409);
      assertThat(write.bodyAsJsonObject().getString("error")).isEqualTo("read_replica");
      assertThat(write.bodyAsJsonObject().getString("message"))
          .isEqualTo("read replica: writes go to the active cloud");
    }
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.bodyAsJsonObject().getString("status")).isEqualTo("SUBMITTED");
    assertThat(stock.statusCode()).isEqualTo(200);
    assertThat(http.get(primary + "/orders/" + id).bodyAsJsonObject().getString("status")).isEqualTo("SUBMITTED");
  }

  @Test
  void afterASwitchTheOldActiveIsTheReplica() throws Exception {
    sim.setActive("secondary");

    assertThat(http.submit(secondary, Map.of()).statusCode()).isEqualTo(201);
    assertThat(http.submit(primary, Map.of()).statusCode()).isEqualTo(409);
  }

  @Test
  void replicationCanaryIsAReplicatedOrderReadableOnTheStandbyAndProtected() throws Exception {
    await().atMost(Duration.ofSeconds(5)).until(() -> http.get(secondary + "/orders/ord-canary").statusCode() == 200);
    JsonObject canary = http.get(secondary + "/orders/ord-canary").bodyAsJsonObject();

    assertThat(canary.getString("customer")).isEqualTo("synthetic");
    assertThat(canary.getString("status")).isEqualTo("INVOICED");
    // The active rewrites it every second: the standby's copy moves on.
    await().atMost(Duration.ofSeconds(5)).until(() ->
        !http.get(secondary + "/orders/ord-canary").bodyAsJsonObject().getString("updatedAt")
            .equals(canary.getString("updatedAt")));
    HttpResponse<Buffer> delete = http.send(HttpMethod.DELETE, primary + "/orders/ord-canary", Map.of(), null);
    assertThat(delete.statusCode()).isEqualTo(409);
    assertThat(delete.bodyAsJsonObject().getString("error")).isEqualTo("protected");
  }

  @Test
  void stalledReplicationHoldsWritesBackAndItsLagGrowsWithTime() throws Exception {
    await().atMost(Duration.ofSeconds(5)).until(() -> sim.replicationLagSeconds("secondary").orElseThrow() > 0);
    TestHttp.await(sim.applyFaults("secondary", CloudFaults.none().withReplicationStalled(true)));
    String id = http.submit(primary, Map.of()).bodyAsJsonObject().getString("id");

    clock.advance(Duration.ofMinutes(10));

    assertThat(sim.replicationLagSeconds("secondary").orElseThrow()).isGreaterThanOrEqualTo(600.0);
    clock.advance(Duration.ofMinutes(5));
    assertThat(sim.replicationLagSeconds("secondary").orElseThrow()).isGreaterThanOrEqualTo(900.0);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> http.get(secondary + "/orders/" + id).statusCode() == 404);

    sim.clearFaults("secondary");

    await().atMost(Duration.ofSeconds(5)).until(() -> http.get(secondary + "/orders/" + id).statusCode() == 200);
    await().atMost(Duration.ofSeconds(5)).until(() -> sim.replicationLagSeconds("secondary").orElseThrow() < 5.0);
  }

  @Test
  void stalledReplicationIsSetThroughTheAdminApi() throws Exception {
    HttpResponse<Buffer> answer = http.send(HttpMethod.PUT, sim.adminUrl() + "/_sim/faults/secondary", Map.of(),
        "{\"replicationStalled\": true}");

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getBoolean("replicationStalled")).isTrue();
    assertThat(sim.faults("secondary").replicationStalled()).isTrue();
    assertThat(http.send(HttpMethod.PUT, sim.adminUrl() + "/_sim/faults/secondary", Map.of(),
        "{\"replicationStalled\": 1}").statusCode()).isEqualTo(400);
  }
}
