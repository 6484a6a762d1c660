package dev.tandem.synthetics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.yaml.Problem;
import dev.tandem.engine.yaml.Problems;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Edge cases of templates and extraction, end to end through the runner against an echo server. */
@ExtendWith(VertxExtension.class)
class TemplatingAndExtractionTest {
  @TempDir Path dir;

  private final List<JsonObject> echoed = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private WebClient client;
  private Target target;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    Router router = Router.router(vertx);
    router.get("/values").handler(rc -> rc.response().putHeader("Content-Type", "application/json")
        .putHeader("X-Receipt", "r-7")
        .end("{\"num\": 1.50, \"obj\": {\"a\": [1, 2]}, \"nil\": null, \"weird\": \"a/b c?d#e\", "
            + "\"list\": [\"x\", \"y\"], \"odd key\": \"k\"}"));
    router.route("/echo/*").handler(rc -> rc.request().body().onSuccess(body -> {
      JsonObject seen = new JsonObject()
          .put("uri", rc.request().uri())
          .put("idem", rc.request().getHeader("Idempotency-Key"))
          .put("body", body.toString());
      echoed.add(seen);
      rc.response().end(seen.encode());
    }));
    server = RunnerAgainstSimulatorTest.join(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    target = new Target("primary", "http://127.0.0.1:" + server.actualPort());
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    RunnerAgainstSimulatorTest.join(server.close());
  }

  private RunResult run(Vertx vertx, Journey journey) throws Exception {
    JourneyRunner runner = JourneyRunner.builder(vertx, client, o -> { })
        .clock(Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC))
        .env(Map.of("REGION", "eu west")::get)
        .build();
    return RunnerAgainstSimulatorTest.join(runner.run(journey, target, new Vantage("ext-1", "third-party")));
  }

  @Test
  void extractedValuesAreTextAndStayInsideTheirPathSegment(Vertx vertx) throws Exception {
    Journey journey = Journeys.parse(dir, """
        journey: extraction
        steps:
          - name: read
            request: {method: GET, path: /values}
            extract: {num: "$.num", obj: "$.obj", weird: "$.weird", second: "$.list[1]", odd: "$['odd key']", receipt: "header:x-receipt"}
          - name: use
            request:
              method: POST
              path: "/echo/{{weird}}/{{second}}"
              query: {q: "{{weird}}", region: "{{env:REGION}}"}
              headers: {Idempotency-Key: "{{uuid}}-{{uuid}}"}
              json: {n: "{{num}}", o: "{{obj}}", r: "{{receipt}}", k: "{{odd}}", at: "{{now}}", count: 3, flag: true, "{{num}}": "key stays"}
        """);

    RunResult result = run(vertx, journey);

    assertThat(result.steps()).extracting(ProbeObservation::ok).containsExactly(true, true);
    JsonObject seen = echoed.get(0);
    // '/', ' ', '?' and '#' of an extracted value are escaped in the path: it stays one segment.
    assertThat(seen.getString("uri")).startsWith("/echo/a%2Fb%20c%3Fd%23e/y?");
    // Query values are encoded by the client, once.
    assertThat(seen.getString("uri")).contains("q=a%2Fb%20c%3Fd%23e").contains("region=eu%20west");
    JsonObject body = new JsonObject(seen.getString("body"));
    // Numbers and objects are extracted as their JSON text, and a template string stays a string.
    assertThat(body.getValue("n")).isEqualTo("1.5");
    assertThat(body.getValue("o")).isEqualTo("{\"a\":[1,2]}");
    assertThat(body.getValue("r")).isEqualTo("r-7");
    assertThat(body.getValue("k")).isEqualTo("k");
    assertThat(body.getValue("at")).isEqualTo("2026-11-26T10:00:00Z");
    assertThat(body.getValue("count")).isEqualTo(3);
    assertThat(body.getValue("flag")).isEqualTo(true);
    assertThat(body.getValue("{{num}}")).as("keys are not templates").isEqualTo("key stays");
    String[] uuids = seen.getString("idem").split("-(?=[0-9a-f]{8}-)");
    assertThat(uuids).hasSize(2);
    assertThat(uuids[0]).isNotEqualTo(uuids[1]);
  }

  @Test
  void explicitNullAndMissingValuesFailTheExtractionByName(Vertx vertx) throws Exception {
    Journey nil = Journeys.parse(dir, """
        journey: null-extraction
        steps:
          - name: read
            request: {method: GET, path: /values}
            extract: {nothing: "$.nil"}
        """);
    Journey missing = Journeys.parse(dir, """
        journey: missing-extraction
        steps:
          - name: read
            request: {method: GET, path: /values}
            extract: {third: "$.list[2]"}
        """);
    Journey header = Journeys.parse(dir, """
        journey: missing-header
        steps:
          - name: read
            request: {method: GET, path: /values}
            extract: {where: "header:Location"}
        """);

    assertThat(run(vertx, nil).steps().get(0).error()).isEqualTo("extract nothing: $.nil not in body");
    assertThat(run(vertx, missing).steps().get(0).error()).isEqualTo("extract third: $.list[2] not in body");
    assertThat(run(vertx, header).steps().get(0).error()).isEqualTo("extract where: header Location missing");
  }

  @Test
  void brokenJsonPathsFailValidationAtTheirFileLineAndColumn() {
    Path file = Journeys.write(dir, "broken-paths.yaml", """
        journey: broken-paths
        steps:
          - name: read
            request: {method: GET, path: /values}
            expect: {jsonPath: {"$..status": OK, "$.items[-1]": x}}
            extract: {id: "$.orders[*].id", next: "$.a["}
        """);
    Problems problems = new Problems();

    assertThat(JourneyParser.parse(file, problems)).isEmpty();

    List<String> found = problems.sorted().stream().map(Problem::toString).toList();
    assertThat(found).hasSize(4);
    assertThat(found.get(0)).startsWith(file + ":5:25: bad JSONPath '$..status'");
    assertThat(found.get(1)).startsWith(file + ":5:42: bad JSONPath '$.items[-1]'");
    assertThat(found.get(2)).startsWith(file + ":6:19: bad extraction for 'id'");
    assertThat(found.get(3)).startsWith(file + ":6:43: bad extraction for 'next'");
  }

  @Test
  void standbyReadinessJourneyIsReadOnlyAndRunsOnlyAgainstTheStandby() {
    Journey journey = RunnerAgainstSimulatorTest.demo("standby-readiness.yaml");

    assertThat(journey.roles()).containsExactly(Journey.STANDBY);
    assertThat(journey.steps()).allSatisfy(s -> assertThat(s.request().method()).isEqualTo("GET"));
    assertThat(journey.steps()).extracting(Step::name)
        .containsExactly("health", "inventory-read", "replicated-order-read");
  }
}
