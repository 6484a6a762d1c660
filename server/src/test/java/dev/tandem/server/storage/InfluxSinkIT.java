package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.tandem.engine.budget.SloStatus;
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
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tandem's InfluxDB sink against a real InfluxDB: what it writes, InfluxQL reads back. */
class InfluxSinkIT {
  private static TandemContainers.InfluxDbContainer influx;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir
  Path dir;
  private static final InfluxLimits QUICK = InfluxLimits.defaults()
      .withBatch(10_000, 1_000, Duration.ofMillis(100)).withRetry(Duration.ofMillis(100), Duration.ofSeconds(1));
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
    return query(influx.baseUrl(), db, q);
  }

  private JsonNode query(String base, String db, String q) throws Exception {
    String url = base + "/query?db=" + db + "&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8);
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

  @Test
  void sloStateBurnRatesAndTiersAreWrittenAtEachTick() throws Exception {
    Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    InfluxSink sink = InfluxSink.start(new TandemConfig.Influx(influx.baseUrl(), "tandem_slo_it"), dir, QUICK,
        registry, Clock.fixed(t0, ZoneOffset.UTC), InfluxTagValues.of(Map.of("slo", List.of("orders"),
            "cloud", List.of("primary", "secondary"))));
    SloStatus.TierState fast = new SloStatus.TierState("page-fast", "page", "1h", "5m", "14.4", "0.144", "2d", 20, 30, true);
    SloStatus.TierState slow = new SloStatus.TierState("ticket-slow", "ticket", "3d", "6h", "1", "0.01", "30d", 2, 1, false);
    Map<String, Double> burn = new java.util.LinkedHashMap<>();
    burn.put("5m", 30.0);
    burn.put("1h", 20.0);
    burn.put("6h", Double.NaN);
    sink.sloStatuses(List.of(
        new SloStatus("orders", "primary", "0.99", "28d", "Occurrences", 80, 100, 0.8, -19.0, -19.0, burn,
            List.of(fast, slow), null, 0),
        new SloStatus("not-configured", "elsewhere", "0.999", "28d", "Occurrences", 0, 0, null, 1.0, 0, Map.of(),
            List.of(), null, 0)));
    sink.close();

    JsonNode slo = query("tandem_slo_it", "SELECT objective, good, total, sli, budget_remaining, firing_tiers"
        + " FROM tandem_slo WHERE slo = 'orders' AND cloud = 'primary'");
    assertThat(slo.at("/results/0/series/0/values/0/0").asText()).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(slo.at("/results/0/series/0/values/0/1").asDouble()).isEqualTo(0.99);
    assertThat(slo.at("/results/0/series/0/values/0/2").asLong()).isEqualTo(80);
    assertThat(slo.at("/results/0/series/0/values/0/3").asLong()).isEqualTo(100);
    assertThat(slo.at("/results/0/series/0/values/0/4").asDouble()).isEqualTo(0.8);
    assertThat(slo.at("/results/0/series/0/values/0/5").asDouble()).isEqualTo(-19.0);
    assertThat(slo.at("/results/0/series/0/values/0/6").asLong()).isEqualTo(1);
    JsonNode other = query("tandem_slo_it", "SELECT count(total) FROM tandem_slo WHERE slo = '_other' AND cloud = '_other'");
    assertThat(other.at("/results/0/series/0/values/0/1").asLong()).as("unknown tag values are collapsed").isEqualTo(1);
    assertThat(registry.get("tandem.influx.tag.values.collapsed").tag("tag", "slo").counter().count()).isEqualTo(1);

    JsonNode windows = query("tandem_slo_it", "SELECT last(burn_rate) FROM tandem_slo_burn GROUP BY \"window\"");
    assertThat(windows.at("/results/0/series").size()).as("the NaN window is left out").isEqualTo(2);
    JsonNode tiers = query("tandem_slo_it", "SELECT firing, threshold, factor FROM tandem_slo_tier"
        + " WHERE tier = 'page-fast' AND severity = 'page'");
    assertThat(tiers.at("/results/0/series/0/values/0/1").asLong()).isEqualTo(1);
    assertThat(tiers.at("/results/0/series/0/values/0/2").asDouble()).isEqualTo(0.144);
    assertThat(tiers.at("/results/0/series/0/values/0/3").asDouble()).isEqualTo(14.4);
    JsonNode ticket = query("tandem_slo_it", "SELECT firing FROM tandem_slo_tier WHERE severity = 'ticket'");
    assertThat(ticket.at("/results/0/series/0/values/0/1").asLong()).isEqualTo(0);
    assertThat(sink.failed()).isZero();
  }

  @Test
  void aPointInfluxRejectsIsDroppedAloneAndTheRestIsWritten() throws Exception {
    // heartbeat was first written as a float (field types are per shard, so in the same week):
    // Tandem's integer heartbeats now conflict (HTTP 400, partial write).
    Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
    String line = "tandem_path,cloud=primary,path=path-a heartbeat=1.5 " + t0.minusSeconds(3600).getEpochSecond() + "000000000";
    http.send(HttpRequest.newBuilder(URI.create(influx.baseUrl() + "/query?q=" + URLEncoder.encode(
        "CREATE DATABASE tandem_reject_it", StandardCharsets.UTF_8))).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> pre = http.send(HttpRequest.newBuilder(URI.create(influx.baseUrl() + "/write?db=tandem_reject_it"))
        .POST(HttpRequest.BodyPublishers.ofString(line)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(pre.statusCode()).isEqualTo(204);

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    InfluxSink sink = InfluxSink.start(new TandemConfig.Influx(influx.baseUrl(), "tandem_reject_it"), dir, QUICK,
        registry, Clock.systemUTC(), InfluxTagValues.unrestricted());
    for (int i = 0; i < 8; i++) {
      sink.accept(new ProbeObservation(t0.plusSeconds(i), "run-" + i, "j", "s", "primary", "ext-1", true, 10, null));
      if (i % 4 == 0) {
        sink.accept(new HeartbeatObservation(t0.plusSeconds(i), "path-a", "primary"));
      }
    }
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(sink.failed())
        .as("written %d, spilled %s", sink.written(), registry.get("tandem.influx.points.spilled").counter().count())
        .isEqualTo(2));
    sink.accept(new ProbeObservation(t0.plusSeconds(100), "run-100", "j", "s", "primary", "ext-1", true, 10, null));
    sink.close();
    JsonNode probes = query("tandem_reject_it", "SELECT count(latency_ms) FROM tandem_probe");
    assertThat(probes.at("/results/0/series/0/values/0/1").asLong()).isEqualTo(9);
    JsonNode beats = query("tandem_reject_it", "SELECT count(heartbeat) FROM tandem_path");
    assertThat(beats.at("/results/0/series/0/values/0/1").asLong()).isEqualTo(1);
    assertThat(registry.get("tandem.influx.points.dropped").tag("reason", "rejected").counter().count()).isEqualTo(2);
    assertThat(sink.failed()).isEqualTo(2);
  }

  @Test
  void aServerAbsentAtStartUpGetsItsDatabaseAndEverythingWhenItAppears() throws Exception {
    int port = TandemContainers.freeLoopbackPort();
    String url = "http://tandem:s3cret@127.0.0.1:" + port;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    InfluxSink sink = InfluxSink.start(new TandemConfig.Influx(url, "tandem_late_it"), dir, QUICK, registry,
        Clock.systemUTC(), InfluxTagValues.unrestricted());
    Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
    for (int i = 0; i < 50; i++) {
      sink.accept(new HeartbeatObservation(t0.plusSeconds(i), "path-a", "primary"));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> registry.get("tandem.influx.points.spilled").counter().count() == 50);
    assertThat(sink.spillBytes()).isPositive();
    try (TandemContainers.InfluxDbContainer late = TandemContainers.influxdb().withCreateContainerCmdModifier(cmd ->
        cmd.getHostConfig().withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", port),
            ExposedPort.tcp(TandemContainers.INFLUXDB_PORT))))) {
      late.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.spillBytes() == 0 && sink.written() == 50);
      sink.close();
      JsonNode beats = query("http://127.0.0.1:" + port, "tandem_late_it", "SELECT count(heartbeat) FROM tandem_path");
      assertThat(beats.at("/results/0/series/0/values/0/1").asLong()).isEqualTo(50);
    }
  }
}
