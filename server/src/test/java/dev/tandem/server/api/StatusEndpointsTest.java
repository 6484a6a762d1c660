package dev.tandem.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.judge.VerdictEngine;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.TelemetryObservation;
import dev.tandem.engine.replay.VirtualClock;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import dev.tandem.engine.verdict.ObserverIdentity;
import dev.tandem.server.config.Secret;
import dev.tandem.server.config.TandemConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The status page's files and the read endpoints it needs beyond verdicts and SLOs. */
class StatusEndpointsTest {
  private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-26T10:00:00Z"));
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private Vertx vertx;
  private VerdictEngine engine;
  private SloEngine slos;
  private StatusBoard board;
  private ApiServer api;
  private int port;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    engine = VerdictEngine.create(new EngineSpec(new ObserverIdentity("obs-api", "primary"),
        List.of("primary", "secondary"),
        List.of(new DomainSpec("order-platform", "primary", "secondary", 60, "db.replication.lag",
            List.of("order-to-invoice"), List.of())),
        List.of(new VantageSpec("ext-1", "third-party", "eu")),
        List.of(new PathSpec("path-a", "primary"), new PathSpec("path-b", "secondary")),
        new EngineSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), 1, Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofSeconds(60))), clock);
    engine.evaluate();
    // The SLO engine has watched for an hour (its burn windows are covered).
    Instant start = clock.instant();
    clock.set(start.minus(Duration.ofHours(1)));
    slos = new SloEngine(List.of(new SloSpec("orders", "orders", "orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, new BigDecimal("0.999"), null, null,
        new Selector(Selector.Source.SPAN, Map.of(Selector.SERVICE, "order-service")), null, null)),
        List.of("primary", "secondary"), clock);
    clock.set(start);
    slos.accept(new TelemetryObservation(clock.instant(), "path-a", "primary", "order-service", "POST /orders",
        "span", 9_990, 10_000));
    slos.evaluate();
    board = new StatusBoard(clock);
    api = new ApiServer(vertx, new TandemConfig.Api("127.0.0.1", 0, List.of(new Secret("reader")), List.of()),
        engine, slos, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock, () -> true, board);
    port = api.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    api.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<byte[]> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private JsonNode read(String path) throws Exception {
    HttpResponse<byte[]> r = get(path, Map.of("Authorization", "Bearer reader"));
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return json.readTree(r.body());
  }

  @Test
  void servesThePageWithTypesEntityTagsAndGzip() throws Exception {
    HttpResponse<byte[]> page = get("/", Map.of());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
    assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString()
        .contains("default-src 'none'").contains("connect-src 'self'");
    String html = new String(page.body(), StandardCharsets.UTF_8);
    assertThat(html).contains("/status/status.js").contains("/status/status.css").doesNotContain("http://")
        .doesNotContain("https://");
    assertThat(get("/status/status.js", Map.of()).headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(get("/status/status.css", Map.of()).headers().firstValue("Content-Type"))
        .hasValue("text/css; charset=utf-8");

    String etag = page.headers().firstValue("ETag").orElseThrow();
    assertThat(get("/", Map.of("If-None-Match", etag)).statusCode()).isEqualTo(304);
    assertThat(get("/", Map.of("If-None-Match", "\"something-else\"")).statusCode()).isEqualTo(200);

    HttpResponse<byte[]> gz = get("/status/status.js", Map.of("Accept-Encoding", "gzip, br"));
    assertThat(gz.headers().firstValue("Content-Encoding")).hasValue("gzip");
    assertThat(gz.headers().firstValue("Vary")).hasValue("Accept-Encoding");
    byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes();
    assertThat(unzipped).isEqualTo(get("/status/status.js", Map.of()).body());
    assertThat(gz.body().length).isLessThan(unzipped.length / 2);
    assertThat(get("/status/status.js", Map.of("Accept-Encoding", "gzip;q=0")).headers()
        .firstValue("Content-Encoding")).isEmpty();
    // The page's files need no token (they hold no data); the API behind them does.
    assertThat(get("/api/v1/probes", Map.of()).statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/paths", Map.of()).statusCode()).isEqualTo(401);
    assertThat(get("/api/v1/slos/history", Map.of()).statusCode()).isEqualTo(401);
  }

  @Test
  void theNewEndpointsAreInTheOpenApiDescription() throws Exception {
    String yaml = new String(get("/openapi.yaml", Map.of()).body(), StandardCharsets.UTF_8);
    assertThat(yaml).contains("  /api/v1/probes:", "  /api/v1/paths:", "  /api/v1/slos/history:", "  /:\n");
    // Still valid YAML with every endpoint under paths.
    Map<String, Object> doc = new org.yaml.snakeyaml.Yaml().load(yaml);
    @SuppressWarnings("unchecked")
    Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
    assertThat(paths).containsKeys("/api/v1/probes", "/api/v1/paths", "/api/v1/slos/history", "/",
        "/api/v1/verdicts/stream", "/api/v1/slos");
    // What the status page reads beyond CONTRACTS.md section 4 is described too.
    @SuppressWarnings("unchecked")
    Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
    assertThat(properties(schemas, "SloStatus")).containsKeys("coverage", "lastEventAt", "lastEventAgeSeconds",
        "silent", "noData");
    assertThat(properties(schemas, "Verdict")).containsKey("state");
    assertThat(properties(schemas, "Cloud")).containsKeys("rule", "confirmingSince", "failoverPossibleAt");
    @SuppressWarnings("unchecked")
    List<String> states = (List<String>) ((Map<String, Object>) properties(schemas, "Verdict").get("state")).get("enum");
    assertThat(states).containsExactlyInAnyOrder(java.util.Arrays.stream(dev.tandem.engine.verdict.VerdictState.values())
        .map(Enum::name).toArray(String[]::new));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> properties(Map<String, Object> schemas, String name) {
    return (Map<String, Object>) ((Map<String, Object>) schemas.get(name)).get("properties");
  }

  @Test
  void acceptEncodingIsParsedWithItsWeights() {
    assertThat(StaticPage.acceptsGzip("gzip")).isTrue();
    assertThat(StaticPage.acceptsGzip("deflate, GZIP;q=0.5")).isTrue();
    assertThat(StaticPage.acceptsGzip("gzip;q=0")).isFalse();
    assertThat(StaticPage.acceptsGzip("gzip;q=nonsense")).isFalse();
    assertThat(StaticPage.acceptsGzip("br")).isFalse();
    assertThat(StaticPage.acceptsGzip(null)).isFalse();
  }

  @Test
  void probesShowTheLatestOutcomePerVantageCloudAndStep() throws Exception {
    Instant t0 = clock.instant();
    board.accept(new ProbeObservation(t0, "r1", "order-to-invoice", "submit", "primary", "ext-1", true, 30, null));
    board.accept(new ProbeObservation(t0.plusSeconds(5), "r2", "order-to-invoice", "submit", "primary", "ext-1", false,
        900, "HTTP 503"));
    // A late outcome never hides the newer one.
    board.accept(new ProbeObservation(t0.plusSeconds(2), "r3", "order-to-invoice", "submit", "primary", "ext-1", true,
        30, null));
    board.accept(new ProbeObservation(t0, "r4", "order-to-invoice", "submit", "secondary", "ext-1", true, 25, null));
    clock.advance(Duration.ofSeconds(70));
    board.accept(new ProbeObservation(clock.instant(), "r5", "order-to-invoice", "invoice", "secondary", "ext-1", true,
        25, null));

    JsonNode body = read("/api/v1/probes");
    assertThat(body.get("windowSeconds").asLong()).isEqualTo(60);
    assertThat(body.get("vantages").toString()).isEqualTo("[\"ext-1\"]");
    JsonNode cells = body.get("cells");
    assertThat(cells).hasSize(3);
    JsonNode primary = cells.get(0);
    assertThat(primary.get("cloud").asText()).isEqualTo("primary");
    assertThat(primary.get("ok").asBoolean()).isFalse();
    assertThat(primary.get("error").asText()).isEqualTo("HTTP 503");
    assertThat(primary.get("ageSeconds").asDouble()).isEqualTo(65.0);
    assertThat(primary.get("fresh").asBoolean()).isFalse();
    assertThat(cells.get(1).get("step").asText()).isEqualTo("invoice");
    assertThat(cells.get(1).get("fresh").asBoolean()).isTrue();
    assertThat(cells.get(1).get("error").isNull()).isTrue();
    assertThat(primary.get("notRun").asBoolean()).isFalse();
    assertThat(cells.get(1).get("notRun").asBoolean()).isFalse();
    // The secondary's latest run (r5) did not reach submit: its older outcome is not current.
    assertThat(cells.get(2).get("step").asText()).isEqualTo("submit");
    assertThat(cells.get(2).get("notRun").asBoolean()).isTrue();
  }

  @Test
  void probeCellsAreBoundedAndTheDropsCounted() throws Exception {
    for (int i = 0; i < StatusBoard.MAX_CELLS + 5; i++) {
      board.accept(new ProbeObservation(clock.instant(), "r" + i, "j", "step-" + i, "primary", "ext-1", true, 1, null));
    }
    JsonNode body = read("/api/v1/probes");
    assertThat(body.get("cells")).hasSize(StatusBoard.MAX_CELLS);
    assertThat(body.get("droppedCells").asLong()).isEqualTo(5);
  }

  @Test
  void pathsAreAliveUntilTheirSilenceRunsOut() throws Exception {
    board.accept(new HeartbeatObservation(clock.instant(), "path-a", "primary"));
    clock.advance(Duration.ofSeconds(31));
    board.accept(new HeartbeatObservation(clock.instant(), "path-b", "secondary"));
    JsonNode paths = read("/api/v1/paths");
    assertThat(paths.get("silenceSeconds").asLong()).isEqualTo(30);
    JsonNode a = paths.at("/paths/0");
    assertThat(a.get("id").asText()).isEqualTo("path-a");
    assertThat(a.get("alive").asBoolean()).isFalse();
    assertThat(a.get("ageSeconds").asDouble()).isEqualTo(31.0);
    assertThat(paths.at("/paths/1/alive").asBoolean()).isTrue();
    assertThat(paths.at("/paths/1/lastHeartbeat").asText()).isEqualTo(clock.instant().toString());
  }

  @Test
  void anSloWhoseEventsStopIsSilentAfterThePathSilenceThenNoDataAfterTenMinutes() throws Exception {
    // Path silence 30 s plus one 10 s tick.
    clock.advance(Duration.ofSeconds(40));
    JsonNode atTheLimit = read("/api/v1/slos");
    assertThat(atTheLimit.get("silenceSeconds").asLong()).isEqualTo(40);
    assertThat(atTheLimit.at("/slos/0/lastEventAgeSeconds").asDouble()).isEqualTo(40.0);
    assertThat(atTheLimit.at("/slos/0/silent").asBoolean()).isFalse();

    // Judged at the time of the answer, although the figures are from the last evaluation.
    clock.advance(Duration.ofSeconds(1));
    JsonNode silent = read("/api/v1/slos");
    assertThat(silent.at("/slos/0/cloud").asText()).isEqualTo("primary");
    assertThat(silent.at("/slos/0/silent").asBoolean()).isTrue();
    assertThat(silent.at("/slos/0/noData").asBoolean()).isFalse();
    assertThat(silent.at("/slos/0/lastEventAt").asText()).isEqualTo("2026-11-26T10:00:00Z");

    // The engine's no-data rule: ten minutes without events.
    clock.advance(Duration.ofMinutes(10));
    slos.evaluate();
    JsonNode noData = read("/api/v1/slos");
    assertThat(noData.at("/slos/0/silent").asBoolean()).isTrue();
    assertThat(noData.at("/slos/0/noData").asBoolean()).isTrue();

    // Events again: neither silent nor without data at the next evaluation.
    slos.accept(new TelemetryObservation(clock.instant(), "path-a", "primary", "order-service", "POST /orders",
        "span", 100, 100));
    slos.evaluate();
    JsonNode back = read("/api/v1/slos");
    assertThat(back.at("/slos/0/silent").asBoolean()).isFalse();
    assertThat(back.at("/slos/0/noData").asBoolean()).isFalse();
    assertThat(back.at("/slos/0/lastEventAgeSeconds").asDouble()).isZero();
  }

  @Test
  void burnRateHistoryKeepsTheLatestSamplesOldestFirst() throws Exception {
    for (int i = 0; i < StatusBoard.HISTORY + 3; i++) {
      clock.advance(Duration.ofSeconds(10));
      board.sample(slos.evaluate());
    }
    JsonNode body = read("/api/v1/slos/history");
    assertThat(body.get("capacity").asInt()).isEqualTo(StatusBoard.HISTORY);
    JsonNode primary = body.get("series").get(0);
    assertThat(primary.get("slo").asText()).isEqualTo("orders");
    assertThat(primary.get("cloud").asText()).isEqualTo("primary");
    JsonNode samples = primary.get("samples");
    assertThat(samples).hasSize(StatusBoard.HISTORY);
    assertThat(Instant.parse(samples.get(0).get("at").asText()))
        .isBefore(Instant.parse(samples.get(samples.size() - 1).get("at").asText()));
    assertThat(samples.get(samples.size() - 1).get("at").asText()).isEqualTo(clock.instant().toString());
    // 10 bad in 10 000 against a 0.1 % budget: burning at exactly 1x in every window that holds them.
    assertThat(samples.get(0).get("burnRates").get("5m").asDouble()).isEqualTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
  }
}
