package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Tandem process started from the shaded jar ({@code java -jar target/tandem-all.jar run}) for
 * crash tests: started, asked over its API on loopback, and killed with SIGKILL
 * ({@link Process#destroyForcibly()} is {@code kill -9} on Linux), or stopped with SIGTERM.
 */
final class TandemJar implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int apiPort;
  private final String token;
  private final long startedNanos = System.nanoTime();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  private TandemJar(Process process, Path log, int apiPort, String token) {
    this.process = process;
    this.log = log;
    this.apiPort = apiPort;
    this.token = token;
  }

  /** Starts {@code run --config config}, output to {@code log}; small heap and quick start, as a test needs. */
  static TandemJar run(Path config, Path log, int apiPort, String token) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path jar = Path.of("target", "tandem-all.jar").toAbsolutePath();
    assertThat(jar).as("the shaded jar (mvn package)").exists();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
        "run", "--config", config.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new TandemJar(p, log, apiPort, token);
  }

  Process process() {
    return process;
  }

  String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** Waits until {@code /readyz} answers 200; returns the seconds from the start of the JVM. */
  double awaitReady(Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
      assertThat(process.isAlive()).as("tandem exited:\n%s", output()).isTrue();
      assertThat(get("/readyz").statusCode()).isEqualTo(200);
    });
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send("GET", path, null, Duration.ofSeconds(10));
  }

  JsonNode getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  HttpResponse<String> send(String method, String path, String body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path)).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** SIGKILL, and wait until the process is gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed process gone").isTrue();
  }

  /** SIGTERM (a clean stop: writers flushed), SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
