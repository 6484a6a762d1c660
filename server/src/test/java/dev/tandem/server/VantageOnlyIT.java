package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.engine.verdict.Health;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.Validation;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Production layout: an observer runs the collectors and the engine; a separate vantage process
 * runs only the synthetics role, for one vantage, and reports over OTLP to the observer's paths.
 */
class VantageOnlyIT {
  @TempDir
  Path dir;

  private static <T> T join(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void aVantageProcessReportsItsProbesOverOtlp() throws Exception {
    Vertx vertx = Vertx.vertx();
    PlatformSimulator sim = PlatformSimulator.create(vertx, SimSettings.builder().build());
    join(sim.start());
    Path observerDir = Files.createDirectories(dir.resolve("observer"));
    Validation.Result observerConfig = TestConfigs.load(TestConfigs.fastDemo(observerDir, "roles: [collector, engine]\n"));
    TandemNode observer = TandemNode.create(vertx, observerConfig, Clock.systemUTC(), TandemNode.Overrides.none());
    join(observer.start());
    TandemNode vantage = null;
    try {
      Path vantageDir = Files.createDirectories(dir.resolve("vantage"));
      String yaml = Files.readString(TestConfigs.fastDemo(vantageDir, "roles: [synthetics]\n"))
          .replace("targets: {primary: \"http://127.0.0.1:1\", secondary: \"http://127.0.0.1:2\"}",
              "targets: {primary: \"" + sim.baseUrl("primary") + "\", secondary: \"" + sim.baseUrl("secondary") + "\"}\n"
                  + "  vantage: ext-1\n"
                  + "  export:\n"
                  + "    - {path: path-a, url: \"http://127.0.0.1:" + observer.pathPorts().get("path-a") + "\"}\n"
                  + "    - {path: path-b, url: \"http://127.0.0.1:" + observer.pathPorts().get("path-b") + "\"}");
      Files.writeString(vantageDir.resolve("tandem.yaml"), yaml);
      Validation.Result vantageConfig = Validation.check(vantageDir.resolve("tandem.yaml"), new ConfigLoader(n -> null));
      assertThat(vantageConfig.problems().sorted()).isEmpty();
      vantage = TandemNode.create(vertx, vantageConfig, Clock.systemUTC(), TandemNode.Overrides.none());
      join(vantage.start());

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        assertThat(observer.registry().get("tandem.collector.probe.spans").tag("path", "path-a")
            .functionCounter().count()).isPositive();
        assertThat(observer.engine().current("order-platform").orElseThrow().clouds().get("primary").health())
            .isEqualTo(Health.HEALTHY);
      });
      // Only ext-1 probes: the observer never saw the other vantages.
      String metrics = observer.registry().scrape();
      assertThat(metrics).contains("tandem_observations_total{type=\"probe\"}");
      HttpResponse<String> probes = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + observer.apiPort() + "/api/v1/probes")).build(), HttpResponse.BodyHandlers.ofString());
      com.fasterxml.jackson.databind.JsonNode cells = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(probes.body()).get("cells");
      assertThat(cells).isNotEmpty();
      assertThat(cells).allSatisfy(c -> assertThat(c.get("vantage").asText()).isEqualTo("ext-1"));
      HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + vantage.apiPort() + "/api/v1/verdicts")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).contains("does not run the engine role");
      assertThat(vantage.pathPorts()).isEmpty();
    } finally {
      if (vantage != null) {
        join(vantage.stop());
      }
      join(observer.stop());
      join(sim.stop());
      vertx.close();
    }
  }
}
