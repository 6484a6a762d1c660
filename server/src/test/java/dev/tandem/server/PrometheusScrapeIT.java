package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.config.Validation;
import dev.tandem.server.it.TandemContainers;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Prometheus scrapes a running Tandem's /metrics; Tandem's series come back through its API. */
class PrometheusScrapeIT {
  @TempDir
  Path dir;

  @Test
  void prometheusScrapesTandemSeries() throws Exception {
    TandemContainers.requireDocker();
    Validation.Result loaded = TestConfigs.load(TestConfigs.fastDemo(dir, ""));
    Vertx vertx = Vertx.vertx();
    TandemNode node = TandemNode.create(vertx, loaded, Clock.systemUTC(),
        TandemNode.Overrides.deferredSynthetics());
    node.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Path promConfig = dir.resolve("prometheus.yml");
    Files.writeString(promConfig, """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: tandem
            static_configs: [{targets: ["127.0.0.1:%d"]}]
        """.formatted(node.apiPort()));
    try (TandemContainers.PrometheusContainer prometheus = TandemContainers.prometheus(promConfig)) {
      prometheus.start();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      ObjectMapper json = new ObjectMapper();
      String q = URLEncoder.encode("tandem_verdict_recommendation{recommendation=\"STAY\"}", StandardCharsets.UTF_8);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(prometheus.baseUrl() + "/api/v1/query?query=" + q)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode result = json.readTree(r.body()).at("/data/result");
        assertThat(result.size()).isEqualTo(1);
        assertThat(result.get(0).at("/metric/domain").asText()).isEqualTo("order-platform");
        assertThat(result.get(0).at("/metric/job").asText()).isEqualTo("tandem");
        assertThat(result.get(0).at("/value/1").asText()).isEqualTo("1");
      });
      HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(prometheus.baseUrl()
          + "/api/v1/query?query=up")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(json.readTree(up.body()).at("/data/result/0/value/1").asText()).isEqualTo("1");
    } finally {
      node.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close();
    }
  }
}
