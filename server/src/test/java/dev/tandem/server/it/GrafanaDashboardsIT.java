package dev.tandem.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.server.TestConfigs;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.config.Validation;
import dev.tandem.server.demo.Demo;
import dev.tandem.server.demo.Scenario;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of every dashboard in {@code grafana/dashboards} runs against a real InfluxDB and a
 * real Prometheus that a short in-process demo run filled: Tandem writes to InfluxDB, Prometheus
 * scrapes its {@code /metrics} every second. The run plays the cloud-outage scenario, so that the
 * verdict changes (STAY to FAILOVER) and a cloud carries a fault: the verdict dashboard's
 * annotations and fault panels have something to show. Grafana itself cannot run here (no package,
 * no image); {@link DashboardQueryChecker} does what it would do with each query.
 */
class GrafanaDashboardsIT {
  private static final String DATABASE = "tandem";
  private static final String DOMAIN = "order-platform";
  private static final Duration SCRAPE = Duration.ofSeconds(1);

  @TempDir
  static Path dir;

  private static TandemContainers.InfluxDbContainer influx;
  private static TandemContainers.PrometheusContainer prometheus;
  private static Vertx vertx;
  private static Demo demo;
  private static Instant from;
  private static Instant to;
  private static Instant beforeStop;
  /** Tandem's own count of SLO events, per slo/cloud/outcome, read once the demo stopped. */
  private static Map<String, Long> eventsInProcess;

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void fillDatabasesFromADemoRun() throws Exception {
    TandemContainers.requireDocker();
    influx = TandemContainers.influxdb();
    influx.start();

    Validation.Result loaded = TestConfigs.load(TestConfigs.fastDemo(dir, ""));
    TandemConfig config = loaded.config().orElseThrow()
        .withInflux(new TandemConfig.Influx(influx.baseUrl(), DATABASE));
    vertx = Vertx.vertx();
    from = Instant.now().minusSeconds(1);
    demo = Demo.start(vertx, config, loaded.journeys(), loaded.sloSpecs(), Clock.systemUTC(),
        Map.of("primary", 0, "secondary", 0)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

    Path promConfig = dir.resolve("prometheus.yml");
    Files.writeString(promConfig, """
        global: {scrape_interval: %ds, evaluation_interval: %ds}
        scrape_configs:
          - job_name: tandem
            static_configs: [{targets: ["127.0.0.1:%d"]}]
        """.formatted(SCRAPE.toSeconds(), SCRAPE.toSeconds(), demo.node().apiPort()));
    prometheus = TandemContainers.prometheus(promConfig);
    prometheus.start();

    // A few seconds of healthy baseline (probes pass, paths beat), then the active cloud fails.
    await().atMost(Duration.ofSeconds(45)).until(() -> demo.node().engine().current(DOMAIN)
        .map(v -> v.recommendation() == Recommendation.STAY
            && v.clouds().get("primary").health() == dev.tandem.engine.verdict.Health.HEALTHY
            && Boolean.TRUE.equals(v.clouds().get("secondary").ready())).orElse(false));
    demo.play(Scenario.CLOUD_OUTAGE, Duration.ofSeconds(3));
    await().atMost(Duration.ofSeconds(60)).until(() -> demo.node().engine().current(DOMAIN)
        .map(v -> v.recommendation() == Recommendation.FAILOVER).orElse(false));
    // Both databases saw the failover: InfluxDB got the verdict points, Prometheus scraped them.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(influxCount("SELECT count(\"code\") FROM \"tandem_verdict\" WHERE \"code\" = 2")).isPositive();
      assertThat(promInstant("tandem_verdict_recommendation{recommendation=\"FAILOVER\"} == 1")).isNotEmpty();
    });
    // Stopping flushes what the InfluxDB client still buffers. Prometheus marks Tandem's series
    // stale at its first failed scrape after that: instant queries look just before the stop.
    beforeStop = Instant.now();
    demo.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    eventsInProcess = new java.util.TreeMap<>();
    for (String slo : demo.node().slos().specs().stream().map(s -> s.name()).toList()) {
      for (String cloud : List.of("primary", "secondary")) {
        for (boolean good : new boolean[] {true, false}) {
          eventsInProcess.put(slo + "/" + cloud + "/" + (good ? "good" : "bad"),
              demo.node().slos().events(slo, cloud, good));
        }
      }
    }
    demo = null;
    to = Instant.now().plusSeconds(1);
  }

  @AfterAll
  static void stop() throws Exception {
    if (demo != null) {
      demo.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (prometheus != null) {
      prometheus.stop();
    }
    if (influx != null) {
      influx.stop();
    }
  }

  private static DashboardQueryChecker checker() {
    return new DashboardQueryChecker(new DashboardQueryChecker.Backends(influx.baseUrl(), DATABASE,
        prometheus.baseUrl(), from, to), GrafanaDashboards.datasourceTypes(), GrafanaDashboards.datasourceIntervals());
  }

  @Test
  void everyDashboardQueryReturnsDataTandemWrote() {
    DashboardQueryChecker checker = checker();
    List<String> problems = new ArrayList<>();
    int checked = 0;
    List<Path> files = GrafanaDashboards.files();
    assertThat(files).extracting(p -> p.getFileName().toString()).contains("tandem-slo-overview.json",
        "tandem-journeys.json", "tandem-verdicts.json", "tandem-telemetry-paths.json");
    for (Path file : files) {
      DashboardQueryChecker.Report report = checker.check(file.getFileName().toString(), GrafanaDashboards.read(file));
      System.out.println("[grafana] " + report.dashboard() + ": " + report.checked().size() + " queries checked");
      assertThat(report.checked()).as(report.dashboard() + " has queries").isNotEmpty();
      checked += report.checked().size();
      report.problems().forEach(p -> problems.add(report.dashboard() + ": " + p));
    }
    assertThat(problems).as("dashboard queries that fail against Tandem's data").isEmpty();
    assertThat(checked).isGreaterThanOrEqualTo(30);
  }

  @Test
  void aDashboardNamingWhatTandemDoesNotWriteFails() throws Exception {
    JsonNode broken;
    try (var in = GrafanaDashboardsIT.class.getResourceAsStream("/grafana/broken-dashboard.json")) {
      broken = JSON.readTree(in);
    }
    DashboardQueryChecker.Report report = checker().check("broken-dashboard.json", broken);
    List<String> problems = report.problems();
    System.out.println("[grafana] broken-dashboard.json problems:\n  " + String.join("\n  ", problems));

    // The two sound targets (one per database) and the variable pass...
    assertThat(problems).noneMatch(p -> p.contains("target A") || p.contains("variable $cloud"));
    // ...and every broken one is reported, with what is wrong.
    assertThat(problems).anyMatch(p -> p.contains("annotation \"measurement misspelled\"")
        && p.contains("measurement \"tandem_verdicts\" is not in the database"));
    assertThat(problems).anyMatch(p -> p.contains("target B") && p.contains("measurement \"tandem_probes\""));
    assertThat(problems).anyMatch(p -> p.contains("target B") && p.contains("returned no data"));
    assertThat(problems).anyMatch(p -> p.contains("target C") && p.contains("\"latency\" is no field or tag"));
    assertThat(problems).anyMatch(p -> p.contains("target C") && p.contains("returned no data"));
    // A GROUP BY on a tag that does not exist still returns rows: only the schema check sees it.
    assertThat(problems).anyMatch(p -> p.contains("target D") && p.contains("\"region\" is no field or tag"));
    assertThat(problems).anyMatch(p -> p.contains("target E") && p.contains("never has the value 'failed'"));
    assertThat(problems).anyMatch(p -> p.contains("target F") && p.contains("unknown variable or macro $vantage"));
    assertThat(problems).anyMatch(p -> p.contains("target G")
        && p.contains("metric tandem_slo_budget_remaining does not exist"));
    assertThat(problems).anyMatch(p -> p.contains("target G") && p.contains("returned no series"));
    assertThat(problems).anyMatch(p -> p.contains("target H") && p.contains("label clouds does not exist"));
    assertThat(problems).anyMatch(p -> p.contains("target I") && p.contains("never has the value \"7m\""));
    assertThat(problems).anyMatch(p -> p.contains("target J") && p.contains("some-other-prometheus is not provisioned"));
  }

  @Test
  void sloEventsReadThroughPrometheusMatchTandemsCounts() throws Exception {
    // tandem_slo_events_total is the input of the generated rules: Prometheus must hold it for every
    // SLO, cloud and outcome, with the values Tandem counted.
    JsonNode result = promInstantAt("tandem_slo_events_total{job=\"tandem\"}", beforeStop);
    assertThat(result).hasSize(eventsInProcess.size());
    long good = 0;
    for (JsonNode series : result) {
      String key = series.at("/metric/slo").asText() + "/" + series.at("/metric/cloud").asText() + "/"
          + series.at("/metric/outcome").asText();
      assertThat(eventsInProcess).containsKey(key);
      long scraped = (long) Double.parseDouble(series.at("/value/1").asText());
      // Scraped at most a second before Tandem's own count was read, and never ahead of it.
      assertThat(scraped).as(key).isLessThanOrEqualTo(eventsInProcess.get(key));
      if (eventsInProcess.get(key) > 0) {
        assertThat(scraped).as(key + " reached Prometheus").isPositive();
      }
      good += key.endsWith("/good") ? scraped : 0;
    }
    assertThat(good).as("good events counted over the run").isPositive();
    JsonNode increase = promInstantAt("sum(increase(tandem_slo_events_total{outcome=\"good\"}[5m]))",
        beforeStop);
    assertThat(Double.parseDouble(increase.at("/0/value/1").asText())).isPositive();
  }

  // ---------------------------------------------------------------------------------------------

  private static long influxCount(String query) throws Exception {
    JsonNode r = get(influx.baseUrl() + "/query?db=" + DATABASE + "&q=" + enc(query));
    return r.at("/results/0/series/0/values/0/1").asLong(0);
  }

  private static JsonNode promInstant(String query) throws Exception {
    return get(prometheus.baseUrl() + "/api/v1/query?query=" + enc(query)).at("/data/result");
  }

  private static JsonNode promInstantAt(String query, Instant at) throws Exception {
    JsonNode r = get(prometheus.baseUrl() + "/api/v1/query?query=" + enc(query) + "&time=" + at.getEpochSecond());
    assertThat(r.path("status").asText()).as(r.toString()).isEqualTo("success");
    return r.at("/data/result");
  }

  private static JsonNode get(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
