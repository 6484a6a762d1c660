package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.verdict.CloudAssessment;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import dev.tandem.engine.verdict.ObserverIdentity;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.it.TandemContainers;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tandem's InfluxDB sink against a real InfluxDB: what it writes, InfluxQL reads back. */
class InfluxSinkIT {
  private static TandemContainers.InfluxDbContainer influx;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() {
    TandemContainers.requireDocker();
    influx = TandemContainers.influxdb();
    influx.start();
  }

  @AfterAll
  static void stop() {
    if (influx != null) {
      influx.stop();
    }
  }

  private JsonNode query(String db, String q) throws Exception {
    String url = influx.baseUrl() + "/query?db=" + db + "&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return json.readTree(r.body());
  }

  @Test
  void probeResultsAndVerdictsAreReadableWithInfluxQl() throws Exception {
    Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
    InfluxSink sink = InfluxSink.connect(new TandemConfig.Influx(influx.baseUrl(), "tandem_it"));
    for (int i = 0; i < 10; i++) {
      boolean ok = i % 5 != 0;
      sink.accept(new ProbeObservation(t0.plusSeconds(i), "run-" + i, "order-to-invoice", "submit-order",
          "primary", "ext-1", ok, 40 + i, ok ? null : "status 503, expected [201]"));
    }
    sink.accept(new HeartbeatObservation(t0, "path-a", "primary"));
    Verdict verdict = new Verdict("order-platform", new ObserverIdentity("obs-it", "primary"),
        t0.plusSeconds(10), t0.plusSeconds(40), Recommendation.FAILOVER, t0.plusSeconds(10),
        "Fail over to secondary: primary is down.",
        Map.of("primary", new CloudAssessment("active", Health.UNHEALTHY, Fault.CLOUD_WIDE, List.of(), null, null, null),
            "secondary", new CloudAssessment("standby", Health.HEALTHY, Fault.NONE, List.of(), true, 3.0, 60L)));
    sink.verdict(verdict);
    sink.close();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode probes = query("tandem_it", "SELECT count(latency_ms) FROM tandem_probe");
      assertThat(probes.at("/results/0/series/0/values/0/1").asLong()).isEqualTo(10);
    });
    JsonNode failed = query("tandem_it", "SELECT count(latency_ms) FROM tandem_probe WHERE result = 'fail'");
    assertThat(failed.at("/results/0/series/0/values/0/1").asLong()).isEqualTo(2);
    JsonNode v = query("tandem_it", "SELECT last(code), last(reason) FROM tandem_verdict WHERE domain = 'order-platform'");
    assertThat(v.at("/results/0/series/0/values/0/1").asLong()).isEqualTo(2);
    assertThat(v.at("/results/0/series/0/values/0/2").asText()).startsWith("Fail over to secondary");
    JsonNode clouds = query("tandem_it", "SELECT last(healthy) FROM tandem_cloud GROUP BY cloud");
    assertThat(clouds.at("/results/0/series").size()).isEqualTo(2);
    assertThat(sink.failed()).isZero();
  }
}
