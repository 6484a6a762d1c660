package dev.tandem.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts each real component from {@link TandemContainers} and checks that it answers for real.
 * Prometheus also scrapes an HTTP endpoint on the host's loopback, which is how it reaches Tandem.
 */
class ContainersSmokeIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void docker() {
    TandemContainers.requireDocker();
  }

  @Test
  void influxdbWritesAndQueriesAPoint() throws Exception {
    try (var influx = TandemContainers.influxdb()) {
      long started = System.nanoTime();
      influx.start();
      log("InfluxDB " + influx.getDockerImageName(), started);
      String base = influx.baseUrl();

      HttpResponse<String> ping = get(base + "/ping");
      assertThat(ping.statusCode()).isEqualTo(204);
      assertThat(ping.headers().firstValue("X-Influxdb-Version")).hasValueSatisfying(
          v -> assertThat(v).startsWith("1."));

      HttpResponse<String> create = postForm(base + "/query", "q=" + enc("CREATE DATABASE tandem_smoke"));
      assertThat(create.statusCode()).isEqualTo(200);
      assertThat(create.body()).doesNotContain("error");

      HttpResponse<String> write = post(base + "/write?db=tandem_smoke&precision=s",
          "slo_burn_rate,service=checkout,window=1h value=2.5 1700000000\n");
      assertThat(write.statusCode()).as(write.body()).isEqualTo(204);

      HttpResponse<String> read = get(base + "/query?db=tandem_smoke&q="
          + enc("SELECT value FROM slo_burn_rate WHERE service = 'checkout'"));
      assertThat(read.statusCode()).isEqualTo(200);
      assertThat(read.body())
          .contains("\"name\":\"slo_burn_rate\"")
          .contains("[\"2023-11-14T22:13:20Z\",2.5]");
    }
  }

  @Test
  void prometheusAnswersAndScrapesTheHostLoopback(@TempDir Path dir) throws Exception {
    // A stand-in for Tandem's /metrics on the host's loopback.
    HttpServer target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    target.createContext("/metrics", exchange -> {
      byte[] body = "# TYPE tandem_smoke_value gauge\ntandem_smoke_value 42\n".getBytes(UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    target.start();
    try {
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, String.join("\n",
          "global:",
          "  scrape_interval: 1s",
          "  evaluation_interval: 1s",
          "scrape_configs:",
          "  - job_name: tandem-smoke",
          "    static_configs:",
          "      - targets: ['127.0.0.1:" + target.getAddress().getPort() + "']",
          ""));

      try (var prometheus = TandemContainers.prometheus(config)) {
        long started = System.nanoTime();
        prometheus.start();
        log("Prometheus " + prometheus.getDockerImageName() + " on " + prometheus.baseUrl(), started);

        HttpResponse<String> build = get(prometheus.baseUrl() + "/api/v1/status/buildinfo");
        assertThat(build.statusCode()).isEqualTo(200);
        // 2.x from Debian, 3.x from the official image: any version will do.
        assertThat(build.body()).contains("\"status\":\"success\"").containsPattern("\"version\":\"\\d+\\.");

        String query = prometheus.baseUrl() + "/api/v1/query?query="
            + enc("tandem_smoke_value{job=\"tandem-smoke\"}");
        Instant deadline = Instant.now().plusSeconds(30);
        String body = "";
        while (Instant.now().isBefore(deadline)) {
          body = get(query).body();
          if (body.contains("\"42\"")) {
            break;
          }
          Thread.sleep(500);
        }
        assertThat(body).as("Prometheus scraped the host's loopback").contains("\"42\"");
      }
    } finally {
      target.stop(0);
    }
  }

  @Test
  void alertmanagerReportsStatusAndAcceptsAnAlert() throws Exception {
    try (var alertmanager = TandemContainers.alertmanager()) {
      long started = System.nanoTime();
      alertmanager.start();
      log("Alertmanager " + alertmanager.getDockerImageName(), started);
      String base = alertmanager.baseUrl();

      HttpResponse<String> status = get(base + "/api/v2/status");
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(status.body()).contains("\"cluster\"").contains("\"versionInfo\"").contains("\"uptime\"");

      HttpResponse<String> posted = post(base + "/api/v2/alerts",
          "[{\"labels\":{\"alertname\":\"TandemSmoke\",\"severity\":\"page\"},"
              + "\"annotations\":{\"summary\":\"smoke\"}}]",
          "application/json");
      assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);

      HttpResponse<String> alerts = get(base + "/api/v2/alerts?filter=" + enc("alertname=\"TandemSmoke\""));
      assertThat(alerts.statusCode()).isEqualTo(200);
      assertThat(alerts.body()).contains("\"alertname\":\"TandemSmoke\"");
    }
  }

  private static void log(String what, long startedNanos) {
    System.out.printf("%s ready in %d ms%n", what, (System.nanoTime() - startedNanos) / 1_000_000);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, UTF_8);
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String url, String body)
      throws IOException, InterruptedException {
    return post(url, body, "text/plain; charset=utf-8");
  }

  private static HttpResponse<String> postForm(String url, String body)
      throws IOException, InterruptedException {
    return post(url, body, "application/x-www-form-urlencoded");
  }

  private static HttpResponse<String> post(String url, String body, String contentType)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
