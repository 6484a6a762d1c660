package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.it.TandemContainers;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Tandem process is killed with SIGKILL and started again on the same storage folder: the
 * SLO budgets it had are back (snapshot plus journal), counted once.
 */
class SloStateRestartIT {
  @TempDir
  Path dir;

  private Process process;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();

  @AfterEach
  void kill() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  private Process start(Path config, Path log) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jar = Path.of("target", "tandem-all.jar").toAbsolutePath();
    assertThat(jar).exists();
    return new ProcessBuilder(java, "-jar", jar.toString(), "run", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private JsonNode primary(int apiPort) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort
        + "/api/v1/slos")).build(), HttpResponse.BodyHandlers.ofString());
    for (JsonNode n : json.readTree(r.body()).get("slos")) {
      if (n.get("cloud").asText().equals("primary")) {
        return n;
      }
    }
    throw new AssertionError("no primary series in " + r.body());
  }

  private void awaitReady(int apiPort, Path log) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().untilAsserted(() -> {
      assertThat(process.isAlive()).as("tandem exited:\n%s", Files.exists(log) ? Files.readString(log) : "").isTrue();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort
          + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    });
  }

  private long journaled(Path state) throws IOException {
    long total = 0;
    try (Stream<Path> files = Files.list(state)) {
      for (Path p : files.filter(f -> f.getFileName().toString().startsWith("journal-")).toList()) {
        for (String line : Files.readAllLines(p)) {
          JsonNode n = json.readTree(line);
          if (n.get("type").asText().equals("telemetry")) {
            total += n.get("total").asLong();
          }
        }
      }
    }
    return total;
  }

  @Test
  void budgetsSurviveKillNine() throws Exception {
    int apiPort = TandemContainers.freeLoopbackPort();
    int otlpPort = TandemContainers.freeLoopbackPort();
    Files.createDirectories(dir.resolve("slos"));
    Files.writeString(dir.resolve("slos/orders.yaml"), """
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: orders}
        spec:
          service: order-platform
          indicator:
            metadata: {name: orders-good}
            spec:
              ratioMetric:
                counter: true
                good: {metricSource: {type: tandem, spec: {source: span, service: order-service}}}
                total: {metricSource: {type: tandem, spec: {source: span, service: order-service}}}
          timeWindow: [{duration: 28d, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{target: 0.99}]
        """);
    Path config = dir.resolve("tandem.yaml");
    Files.writeString(config, """
        observer: {id: obs-restart, cloud: primary}
        clouds: {primary: {region: eu-west}, secondary: {region: eu-central}}
        paths:
          - {id: path-a, cloud: primary, otlp: {host: 127.0.0.1, httpPort: %d, grpcPort: 0}}
        slos: ["slos/*.yaml"]
        engine: {tickSeconds: 1}
        storage: {dir: state}
        api: {host: 127.0.0.1, port: %d}
        """.formatted(otlpPort, apiPort));
    Path log = dir.resolve("tandem.log");
    process = start(config, log);
    awaitReady(apiPort, log);

    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + otlpPort + "/v1/traces").build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"),
            "order-service")))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMaxExportBatchSize(512).build()).build();
    Tracer tracer = provider.get("restart-it");
    for (int i = 0; i < 200; i++) {
      var span = tracer.spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER).startSpan();
      if (i % 20 == 0) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    }
    provider.forceFlush().join(10, TimeUnit.SECONDS);
    provider.close();

    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> assertThat(primary(apiPort).get("total").asLong())
        .as("tandem log:\n%s", Files.readString(log)).isEqualTo(200));
    JsonNode before = primary(apiPort);
    assertThat(before.at("/errorBudget/remaining").asDouble()).isCloseTo(-4.0, org.assertj.core.data.Offset.offset(1e-9));
    Path state = dir.resolve("state").resolve("slo-state");
    // The journal is written within a fraction of a second; kill only once it holds everything.
    await().atMost(Duration.ofSeconds(10)).until(() -> journaled(state) >= 200);

    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(process.isAlive()).isFalse();

    Path log2 = dir.resolve("tandem-2.log");
    process = start(config, log2);
    awaitReady(apiPort, log2);
    JsonNode after = primary(apiPort);
    assertThat(after.get("total").asLong()).isEqualTo(200);
    assertThat(after.get("good").asLong()).isEqualTo(190);
    assertThat(after.at("/errorBudget/remaining").asDouble()).isEqualTo(before.at("/errorBudget/remaining").asDouble());
    // Nothing counted twice or lost: the same events, the same budget. The hour's burn rate grows
    // with the part of the hour Tandem has watched (coverage), never shrinks across the restart.
    assertThat(after.at("/burnRates/1h").asDouble()).isGreaterThanOrEqualTo(before.at("/burnRates/1h").asDouble());
    assertThat(Files.readString(log2)).contains("replayed");
    assertThat(List.of(after.get("slo").asText())).containsExactly("orders");
  }
}
