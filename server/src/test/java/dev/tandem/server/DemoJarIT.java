package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar, as `./tandem demo` runs it: a separate JVM with only the jar on its class path
 * (a dependency left out of the jar shows up here and nowhere else), printing its URLs, serving
 * verdicts, and stopping cleanly on SIGTERM.
 */
class DemoJarIT {
  @TempDir
  Path dir;

  private Process process;

  @AfterEach
  void kill() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  @Test
  void theJarRunsTheDemoPrintsItsUrlsAndStopsCleanly() throws Exception {
    Path config = TestConfigs.fastDemo(dir, "");
    Files.writeString(config, Files.readString(config)
        .replace("targets: {primary: \"http://127.0.0.1:1\", secondary: \"http://127.0.0.1:2\"}",
            "targets: {primary: \"http://127.0.0.1:0\", secondary: \"http://127.0.0.1:0\"}"));
    Path out = dir.resolve("out.txt");
    String java = ProcessHandle.current().info().command().orElse("java");
    process = new ProcessBuilder(java, "-jar", Path.of("target", "tandem-all.jar").toAbsolutePath().toString(),
        "demo", "--config", config.toString())
        .redirectOutput(out.toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
    Pattern verdicts = Pattern.compile("verdicts: +(http://127\\.0\\.0\\.1:\\d+/api/v1/verdicts)");
    String[] url = new String[1];
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(process.isAlive()).as("demo exited: %s", Files.readString(dir.resolve("err.txt"))).isTrue();
      Matcher m = verdicts.matcher(Files.readString(out));
      assertThat(m.find()).isTrue();
      url[0] = m.group(1);
    });
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    ObjectMapper json = new ObjectMapper();
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url[0])).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode v = json.readTree(r.body()).at("/verdicts/0");
      assertThat(v.get("domain").asText()).isEqualTo("order-platform");
      assertThat(v.at("/clouds/primary/health").asText()).isEqualTo("HEALTHY");
      assertThat(v.at("/clouds/secondary/ready").asBoolean()).isTrue();
    });
    assertThat(Files.readString(out)).contains("platform primary: http://127.0.0.1:", "Press Ctrl-C to stop.");
    process.destroy();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(out)).contains("Stopping...");
  }
}
