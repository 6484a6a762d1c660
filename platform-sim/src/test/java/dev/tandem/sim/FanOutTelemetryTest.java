package dev.tandem.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Several observers, each with its own telemetry paths: every one gets the cloud's telemetry. */
@ExtendWith(VertxExtension.class)
class FanOutTelemetryTest {
  private PlatformSimulator sim;

  @AfterEach
  void stop() throws Exception {
    if (sim != null) {
      TestHttp.await(sim.stop());
    }
  }

  @Test
  void everyReceiverGetsTheSpansAndTheStandbysLag(Vertx vertx) throws Exception {
    OtlpReceiver a = TestHttp.await(new OtlpReceiver().start(vertx));
    OtlpReceiver b = TestHttp.await(new OtlpReceiver().start(vertx));
    OtlpReceiver c = TestHttp.await(new OtlpReceiver().start(vertx));
    OtlpReceiver d = TestHttp.await(new OtlpReceiver().start(vertx));
    sim = PlatformSimulator.create(vertx, SimSettings.builder()
        .primary(new CloudSettings("primary", "eu-west", 0, a.endpoint(), List.of(b.endpoint())))
        .secondary(new CloudSettings("secondary", "eu-central", 0, c.endpoint(), List.of(d.endpoint())))
        .spanExportInterval(Duration.ofMillis(200))
        .metricExportInterval(Duration.ofMillis(300))
        .replicationDelay(Duration.ofMillis(100))
        .build());
    TestHttp.await(sim.start());
    TestHttp http = new TestHttp(vertx);
    http.submit(sim.trafficUrl(), Map.of());

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      for (OtlpReceiver primaryPath : List.of(a, b)) {
        assertThat(primaryPath.spans()).anyMatch(s -> s.span().getName().equals("POST /orders"));
      }
      for (OtlpReceiver secondaryPath : List.of(c, d)) {
        assertThat(secondaryPath.points(CloudTelemetry.LAG_METRIC)).isNotEmpty();
        assertThat(secondaryPath.spans()).noneMatch(s -> s.span().getName().equals("POST /orders"));
      }
    });
  }

  @Test
  void everyReceiverMustBeAnHttpUrl() {
    assertThatThrownBy(() -> new CloudSettings("primary", "eu-west", 0, null, List.of("ftp://x")))
        .hasMessageContaining("must be an http(s) URL");
  }
}
