package dev.tandem.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class AdminApiTest {
  private PlatformSimulator sim;
  private TestHttp http;
  private String admin;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    sim = PlatformSimulator.create(vertx, SimSettings.builder().build());
    TestHttp.await(sim.start());
    http = new TestHttp(vertx);
    admin = sim.adminUrl();
  }

  @AfterEach
  void stop() throws Exception {
    TestHttp.await(sim.stop());
  }

  @Test
  void putFaultsAppliesEveryKind() throws Exception {
    String body = """
        {"down": false, "errorRate": {"allocate": 0.5}, "latencyMs": 300, "refuseVantages": ["ext-1"],
         "telemetryOff": ["traces"], "replicationLagSeconds": 120, "vantageLoss": {"ext-2": 0.25}}""";

    HttpResponse<Buffer> answer = http.send(HttpMethod.PUT, admin + "/_sim/faults/secondary", Map.of(), body);

    assertThat(answer.statusCode()).isEqualTo(200);
    CloudFaults faults = sim.faults("secondary");
    assertThat(faults.errorRate()).containsEntry("allocate", 0.5);
    assertThat(faults.latencyMs()).isEqualTo(300);
    assertThat(faults.refuseVantages()).containsExactly("ext-1");
    assertThat(faults.telemetryOff()).containsExactly(TelemetrySignal.TRACES);
    assertThat(faults.replicationLagSeconds()).isEqualTo(OptionalDouble.of(120));
    assertThat(faults.vantageLoss()).containsExactly(Map.entry("ext-2", 0.25));
    assertThat(sim.replicationLagSeconds("secondary")).isEqualTo(OptionalDouble.of(120));
    JsonObject plan = http.get(admin + "/_sim/faults").bodyAsJsonObject();
    assertThat(plan.getJsonObject("clouds").getJsonObject("secondary").getLong("latencyMs")).isEqualTo(300);
    assertThat(plan.getString("active")).isEqualTo("primary");
    assertThat(plan.getJsonObject("clouds").getJsonObject("secondary").getJsonObject("vantageLoss").getDouble("ext-2"))
        .isEqualTo(0.25);
  }

  @Test
  void telemetryOffTrueSilencesBothSignals() throws Exception {
    http.send(HttpMethod.PUT, admin + "/_sim/faults/primary", Map.of(), "{\"telemetryOff\": true}");

    assertThat(sim.faults("primary").telemetryOff()).isEqualTo(Set.of(TelemetrySignal.values()));
  }

  @Test
  void unknownKeyIsRejectedByName() throws Exception {
    HttpResponse<Buffer> answer =
        http.send(HttpMethod.PUT, admin + "/_sim/faults/primary", Map.of(), "{\"dwon\": true}");

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.bodyAsJsonObject().getString("error")).contains("unknown key 'dwon'");
    assertThat(sim.faults("primary")).isEqualTo(CloudFaults.none());
  }

  @Test
  void badValuesAndUnknownCloudsAreRejected() throws Exception {
    assertThat(http.send(HttpMethod.PUT, admin + "/_sim/faults/primary", Map.of(), "{\"errorRate\": {\"fly\": 1}}")
        .bodyAsJsonObject().getString("error")).contains("unknown operation 'fly'");
    assertThat(http.send(HttpMethod.PUT, admin + "/_sim/faults/primary", Map.of(), "{\"telemetryOff\": [\"logs\"]}")
        .statusCode()).isEqualTo(400);
    assertThat(http.send(HttpMethod.PUT, admin + "/_sim/faults/primary", Map.of(), "{\"vantageLoss\": {\"ext-1\": 2}}")
        .bodyAsJsonObject().getString("error")).contains("vantageLoss.ext-1: must be between 0 and 1");
    assertThat(http.send(HttpMethod.PUT, admin + "/_sim/faults/primary", Map.of(), "{\"vantageLoss\": [\"ext-1\"]}")
        .bodyAsJsonObject().getString("error")).contains("vantageLoss: must be an object");
    assertThat(http.send(HttpMethod.PUT, admin + "/_sim/faults/primary", Map.of(), "not json").statusCode()).isEqualTo(400);
    assertThat(http.send(HttpMethod.PUT, admin + "/_sim/faults/moon", Map.of(), "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void deleteHealsTheCloud() throws Exception {
    sim.setFaults("primary", CloudFaults.none().withDown(true));

    HttpResponse<Buffer> answer = http.send(HttpMethod.DELETE, admin + "/_sim/faults/primary", Map.of(), null);

    assertThat(answer.statusCode()).isEqualTo(204);
    assertThat(sim.faults("primary").isNone()).isTrue();
    assertThat(http.get(sim.baseUrl("primary") + "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void putActiveSwitchesWhichCloudIsStandby(Vertx vertx, VertxTestContext test) {
    WebClient.create(vertx)
        .putAbs(admin + "/_sim/active")
        .sendJsonObject(new JsonObject().put("cloud", "secondary"))
        .compose(answer -> {
          test.verify(() -> {
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.bodyAsJsonObject().getString("active")).isEqualTo("secondary");
          });
          return WebClient.create(vertx).getAbs(sim.baseUrl("primary") + "/healthz").send();
        })
        .onComplete(test.succeeding(health -> test.verify(() -> {
          assertThat(sim.active()).isEqualTo("secondary");
          assertThat(health.bodyAsJsonObject().getString("role")).isEqualTo("standby");
          assertThat(health.bodyAsJsonObject().containsKey("replicationLagSeconds")).isTrue();
          test.completeNow();
        })));
  }
}
