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

/** The traffic manager: the public endpoint follows the active cloud, and a switch reverses replication. */
@ExtendWith(VertxExtension.class)
class TrafficManagerTest {
  private PlatformSimulator sim;
  private TestHttp http;
  private String platform;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    sim = PlatformSimulator.create(vertx, SimSettings.builder()
        .replicationDelay(Duration.ofMillis(100))
        .random(new SplittableRandom(5))
        .build());
    TestHttp.await(sim.start());
    http = new TestHttp(vertx);
    platform = sim.trafficUrl();
  }

  @AfterEach
  void stop() throws Exception {
    TestHttp.await(sim.stop());
  }

  @Test
  void thePublicEndpointForwardsToTheActiveCloud() throws Exception {
    HttpResponse<Buffer> submit = http.submit(platform, Map.of("Idempotency-Key", "k-1"));
    assertThat(submit.statusCode()).isEqualTo(201);
    assertThat(submit.getHeader("X-Tandem-Cloud")).isEqualTo("primary");
    assertThat(submit.getHeader(TrafficVerticle.TARGET_HEADER)).isEqualTo("primary");
    String id = submit.bodyAsJsonObject().getString("id");
    // Headers the client sent (the idempotency key) reach the cloud: a retry replays.
    HttpResponse<Buffer> retry = http.submit(platform, Map.of("Idempotency-Key", "k-1"));
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject().getString("id")).isEqualTo(id);
    assertThat(http.get(platform + "/orders/" + id).bodyAsJsonObject().getString("status")).isEqualTo("SUBMITTED");
    assertThat(http.get(platform + "/nowhere").statusCode()).isEqualTo(404);
    assertThat(sim.trafficForwarded()).isEqualTo(4);
  }

  @Test
  void switchingMovesTrafficPromotesTheNewActiveAndReversesReplication() throws Exception {
    String before = http.submit(platform, Map.of()).bodyAsJsonObject().getString("id");
    await().atMost(Duration.ofSeconds(5)).until(() ->
        http.get(sim.baseUrl("secondary") + "/orders/" + before).statusCode() == 200);

    HttpResponse<Buffer> switched = http.send(HttpMethod.PUT, sim.adminUrl() + "/_sim/active", Map.of(),
        new JsonObject().put("cloud", "secondary").encode());
    assertThat(switched.statusCode()).isEqualTo(200);
    assertThat(switched.bodyAsJsonObject().getString("active")).isEqualTo("secondary");

    // The next request goes to the new active, which now takes writes...
    HttpResponse<Buffer> submit = http.submit(platform, Map.of());
    assertThat(submit.statusCode()).isEqualTo(201);
    assertThat(submit.getHeader("X-Tandem-Cloud")).isEqualTo("secondary");
    String after = submit.bodyAsJsonObject().getString("id");
    assertThat(http.post(platform + "/orders/" + before + "/allocation").statusCode()).isEqualTo(200);
    // ...the old active is a read replica...
    HttpResponse<Buffer> refused = http.submit(sim.baseUrl("primary"), Map.of());
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("read_replica");
    // ...and replication now runs from the new active to the old one.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      HttpResponse<Buffer> r = http.get(sim.baseUrl("primary") + "/orders/" + before);
      assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("ALLOCATED");
      assertThat(http.get(sim.baseUrl("primary") + "/orders/" + after).statusCode()).isEqualTo(200);
    });
    assertThat(sim.replicationLagSeconds("primary")).isPresent();
    assertThat(sim.replicationLagSeconds("secondary")).isEmpty();
    JsonObject status = http.get(sim.adminUrl() + "/_sim/status").bodyAsJsonObject();
    assertThat(status.getString("traffic")).isEqualTo(platform);
    assertThat(status.getJsonObject("clouds").getJsonObject("primary").getString("role")).isEqualTo("standby");
  }

  @Test
  void anActiveCloudThatIsDownGets502AndTheSwitchRestoresService() throws Exception {
    TestHttp.await(sim.applyFaults("primary", CloudFaults.none().withDown(true)));
    HttpResponse<Buffer> down = http.submit(platform, Map.of());
    assertThat(down.statusCode()).isEqualTo(502);
    assertThat(down.bodyAsJsonObject().getString("error")).isEqualTo("bad_gateway");
    assertThat(sim.trafficFailed()).isEqualTo(1);

    sim.setActive("secondary");
    assertThat(http.submit(platform, Map.of()).statusCode()).isEqualTo(201);
  }

  @Test
  void anOversizedBodyIsRefusedBeforeForwarding() throws Exception {
    String big = "{\"sku\":\"SKU-1\",\"qty\":1,\"customer\":\"" + "x".repeat(CloudVerticle.MAX_BODY_BYTES) + "\"}";
    HttpResponse<Buffer> r = http.send(HttpMethod.POST, platform + "/orders", Map.of(), big);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(sim.trafficForwarded()).isZero();
  }
}
