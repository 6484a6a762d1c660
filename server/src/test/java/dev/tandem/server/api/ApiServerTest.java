package dev.tandem.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.observation.TelemetryObservation;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import java.math.BigDecimal;
import java.util.Map;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.judge.VerdictEngine;
import dev.tandem.engine.verdict.ObserverIdentity;
import dev.tandem.server.config.Secret;
import dev.tandem.server.config.TandemConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiServerTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private Vertx vertx;
  private VerdictEngine engine;
  private SloEngine slos;
  private ApiServer api;
  private int port;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    engine = VerdictEngine.create(new EngineSpec(new ObserverIdentity("obs-api", "primary"),
        List.of("primary", "secondary"),
        List.of(new DomainSpec("order-platform", "primary", "secondary", 60, "db.replication.lag",
            List.of("order-to-invoice"), List.of())),
        List.of(new VantageSpec("ext-1", "third-party", "eu")), List.of(new PathSpec("path-a", "primary")),
        new EngineSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), 1, Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofSeconds(60))), clock);
    engine.evaluate();
    // The SLO engine has watched for an hour (its burn windows are covered): burn rates are then
    // the plain error ratio over the window divided by the budget.
    dev.tandem.engine.replay.VirtualClock sloClock = new dev.tandem.engine.replay.VirtualClock(
        clock.instant().minus(Duration.ofHours(1)));
    slos = new SloEngine(List.of(new SloSpec("orders", "orders", "orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, new BigDecimal("0.999"), null, null,
        new Selector(Selector.Source.SPAN, Map.of(Selector.SERVICE, "order-service")), null, null)),
        List.of("primary", "secondary"), sloClock);
    sloClock.set(clock.instant());
    slos.accept(new TelemetryObservation(clock.instant(), "path-a", "primary", "order-service", "POST /orders",
        "span", 9_990, 10_000));
    api = new ApiServer(vertx, new TandemConfig.Api("127.0.0.1", 0, List.of(new Secret("reader")),
        List.of(new Secret("admin"))), engine, slos, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock,
        () -> true, new StatusBoard(clock));
    port = api.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    api.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readsNeedAReadToken() throws Exception {
    assertThat(send("GET", "/api/v1/verdicts", null, null).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/api/v1/verdicts", "wrong", null).statusCode()).isEqualTo(401);
    HttpResponse<String> ok = send("GET", "/api/v1/verdicts", "reader", null);
    assertThat(ok.statusCode()).isEqualTo(200);
    JsonNode body = json.readTree(ok.body());
    assertThat(body.at("/observer/id").asText()).isEqualTo("obs-api");
    assertThat(body.at("/verdicts/0/domain").asText()).isEqualTo("order-platform");
    assertThat(body.at("/verdicts/0/validUntil").asText()).isEqualTo("2026-11-26T10:00:30Z");
    assertThat(body.at("/verdicts/0/clouds/secondary/rpoSeconds").asLong()).isEqualTo(60);
    assertThat(send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void pollersGetNotModifiedUntilTheVerdictChanges() throws Exception {
    HttpResponse<String> first = send("GET", "/api/v1/verdicts/order-platform", "reader", null);
    String etag = first.headers().firstValue("ETag").orElseThrow();
    HttpRequest conditional = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/api/v1/verdicts/order-platform")).header("Authorization", "Bearer reader").header("If-None-Match", etag).build();
    engine.evaluate();
    assertThat(http.send(conditional, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(304);
    engine.reportActive("order-platform", "secondary");
    engine.evaluate();
    HttpResponse<String> changed = http.send(conditional, HttpResponse.BodyHandlers.ofString());
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.headers().firstValue("ETag")).get().isNotEqualTo(etag);
    HttpResponse<String> all = send("GET", "/api/v1/verdicts", "reader", null);
    assertThat(all.headers().firstValue("ETag")).isPresent();
  }

  @Test
  void streamSendsTheCurrentVerdictOnConnectAndOneEventPerChange() throws Exception {
    java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/verdicts/stream"))
        .header("Authorization", "Bearer reader").build();
    java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response =
        http.sendAsync(req, HttpResponse.BodyHandlers.ofLines());
    Thread reader = new Thread(() -> {
      try {
        response.get().body().forEach(lines::add);
      } catch (Exception e) {
        lines.add("error: " + e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    assertThat(response.get(10, java.util.concurrent.TimeUnit.SECONDS).headers().firstValue("Content-Type"))
        .get().asString().startsWith("text/event-stream");
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("event: verdict"));
    String first = lines.stream().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow();
    assertThat(json.readTree(first.substring(6)).at("/clouds/primary/role").asText()).isEqualTo("active");
    engine.reportActive("order-platform", "secondary");
    engine.evaluate();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
        lines.stream().filter(l -> l.startsWith("data: ")).count() == 2);
    String second = lines.stream().filter(l -> l.startsWith("data: ")).skip(1).findFirst().orElseThrow();
    assertThat(json.readTree(second.substring(6)).at("/clouds/secondary/role").asText()).isEqualTo("active");
    // An evaluation that changes nothing sends nothing.
    engine.evaluate();
    org.awaitility.Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
        lines.stream().filter(l -> l.startsWith("data: ")).count() == 2);
  }

  @Test
  void unknownDomainIs404() throws Exception {
    HttpResponse<String> r = send("GET", "/api/v1/verdicts/nope", "reader", null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json.readTree(r.body()).get("error").asText()).contains("nope");
  }

  @Test
  void switchReportNeedsAnAdminToken() throws Exception {
    String body = "{\"cloud\": \"secondary\"}";
    assertThat(send("PUT", "/api/v1/verdicts/order-platform/active", null, body).statusCode()).isEqualTo(401);
    assertThat(send("PUT", "/api/v1/verdicts/order-platform/active", "reader", body).statusCode()).isEqualTo(403);
    assertThat(send("PUT", "/api/v1/verdicts/order-platform/active", "admin", "{\"cloud\": \"mars\"}").statusCode())
        .isEqualTo(400);
    assertThat(send("PUT", "/api/v1/verdicts/order-platform/active", "admin", "garbage").statusCode()).isEqualTo(400);
    HttpResponse<String> ok = send("PUT", "/api/v1/verdicts/order-platform/active", "admin", body);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json.readTree(ok.body()).at("/clouds/secondary/role").asText()).isEqualTo("active");
    assertThat(engine.activeCloud("order-platform")).isEqualTo("secondary");
  }

  @Test
  void aSwitchReportNamesItsReporterWithinBounds() throws Exception {
    assertThat(send("PUT", "/api/v1/verdicts/order-platform/active", "admin",
        "{\"cloud\": \"secondary\", \"by\": \"two words\"}").statusCode()).isEqualTo(400);
    assertThat(send("PUT", "/api/v1/verdicts/order-platform/active", "admin",
        "{\"cloud\": \"secondary\", \"by\": \"" + "x".repeat(129) + "\"}").statusCode()).isEqualTo(400);
    assertThat(engine.activeCloud("order-platform")).isEqualTo("primary");
    assertThat(send("PUT", "/api/v1/verdicts/order-platform/active", "admin",
        "{\"cloud\": \"secondary\", \"by\": \"controller-eu\"}").statusCode()).isEqualTo(200);
    JsonNode active = json.readTree(send("GET", "/api/v1/verdicts/order-platform/active", "reader", null).body());
    assertThat(active.get("active").asText()).isEqualTo("secondary");
    assertThat(active.get("since").asText()).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(send("GET", "/api/v1/verdicts/nope/active", "reader", null).statusCode()).isEqualTo(404);
    assertThat(send("GET", "/api/v1/verdicts/order-platform/active", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void slosShowBudgetBurnRatesAndTiersPerCloud() throws Exception {
    HttpResponse<String> r = send("GET", "/api/v1/slos", "reader", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode list = json.readTree(r.body()).get("slos");
    assertThat(list).hasSize(2);
    JsonNode primary = list.get(0);
    assertThat(primary.get("slo").asText()).isEqualTo("orders");
    assertThat(primary.get("cloud").asText()).isEqualTo("primary");
    assertThat(primary.get("objective").asDouble()).isEqualTo(0.999);
    assertThat(primary.get("window").asText()).isEqualTo("28d rolling");
    assertThat(primary.get("sli").asDouble()).isEqualTo(0.999);
    assertThat(primary.at("/errorBudget/remaining").asDouble()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(primary.at("/burnRates/1h").asDouble()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(primary.get("alerts")).hasSize(4);
    assertThat(primary.at("/alerts/0/factor").asText()).isEqualTo("13.44");
    assertThat(list.get(1).get("sli").isNull()).isTrue();
  }

  @Test
  void slosSayWhenTheyLastHeardAnEventAndWhetherTheyAreSilent() throws Exception {
    JsonNode body = json.readTree(send("GET", "/api/v1/slos", "reader", null).body());
    // The engine's path silence (30 s) plus one tick (10 s): the figures are refreshed once a tick.
    assertThat(body.get("silenceSeconds").asLong()).isEqualTo(40);
    JsonNode primary = body.at("/slos/0");
    assertThat(primary.get("cloud").asText()).isEqualTo("primary");
    assertThat(primary.get("lastEventAt").asText()).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(primary.get("lastEventAgeSeconds").asDouble()).isZero();
    assertThat(primary.get("silent").asBoolean()).isFalse();
    assertThat(primary.get("noData").asBoolean()).isFalse();
    assertThat(primary.get("coverage").isNumber()).isTrue();
    assertThat(primary.get("coverage").asDouble()).isBetween(0.0, 1.0);
    // The secondary never had an event: no data, not a full budget.
    JsonNode secondary = body.at("/slos/1");
    assertThat(secondary.get("cloud").asText()).isEqualTo("secondary");
    assertThat(secondary.get("lastEventAt").isNull()).isTrue();
    assertThat(secondary.get("lastEventAgeSeconds").isNull()).isTrue();
    assertThat(secondary.get("silent").asBoolean()).isTrue();
    assertThat(secondary.get("noData").asBoolean()).isTrue();
    // The names that were there before are all still there.
    assertThat(primary.fieldNames()).toIterable().contains("slo", "cloud", "objective", "window", "budgetingMethod",
        "sli", "good", "total", "errorBudget", "burnRates", "alerts", "firing", "timeToExhaustion");
  }

  @Test
  void maintenanceWindowsAreAddedByAdminsAndListed() throws Exception {
    String body = "{\"id\":\"mw-db\",\"slo\":\"orders\",\"start\":\"2026-11-26T22:00:00Z\","
        + "\"end\":\"2026-11-26T23:00:00Z\",\"reason\":\"database upgrade\"}";
    assertThat(send("POST", "/api/v1/maintenance", "reader", body).statusCode()).isEqualTo(403);
    assertThat(send("POST", "/api/v1/maintenance", "admin", "{\"start\":\"yesterday\",\"end\":\"today\"}")
        .statusCode()).isEqualTo(400);
    assertThat(send("POST", "/api/v1/maintenance", "admin", body.replace("orders", "nope")).statusCode())
        .isEqualTo(400);
    assertThat(send("POST", "/api/v1/maintenance", "admin", body).statusCode()).isEqualTo(201);
    assertThat(send("POST", "/api/v1/maintenance", "admin", body).statusCode()).as("the id is taken").isEqualTo(409);
    assertThat(send("POST", "/api/v1/maintenance", "admin", body.replace("mw-db", "mw-2").replace("\"slo\"",
        "\"cloud\":\"moon\",\"slo\"")).statusCode()).isEqualTo(400);
    JsonNode listed = json.readTree(send("GET", "/api/v1/maintenance", "reader", null).body());
    assertThat(listed.at("/maintenance/0/id").asText()).isEqualTo("mw-db");
    assertThat(listed.at("/maintenance/0/reason").asText()).isEqualTo("database upgrade");
    assertThat(send("DELETE", "/api/v1/maintenance/mw-db?by=ops", "admin", null).statusCode()).isEqualTo(204);
    assertThat(send("DELETE", "/api/v1/maintenance/mw-db", "admin", null).statusCode()).isEqualTo(404);
    assertThat(slos.maintenance()).isEmpty();
  }

  @Test
  void openApiDescriptionIsServedAndNamesEveryEndpoint() throws Exception {
    HttpResponse<String> r = send("GET", "/openapi.yaml", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("openapi: 3.0.3", "/api/v1/verdicts:", "/api/v1/verdicts/{domain}:",
        "/api/v1/verdicts/stream:", "/api/v1/verdicts/{domain}/active:", "/api/v1/slos:", "/healthz:");
  }

  @Test
  void metricsAreInPrometheusTextFormat() throws Exception {
    HttpResponse<String> r = send("GET", "/metrics", null, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).get().asString().startsWith("text/plain");
  }
}
