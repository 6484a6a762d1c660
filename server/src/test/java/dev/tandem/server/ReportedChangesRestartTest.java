package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.replay.Replay;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole node: a switch and a maintenance window reported through the API outlive a restart, and
 * the recording holds them as {@code switch} and {@code maintenance} lines that replay follows.
 */
class ReportedChangesRestartTest {
  private static final String ADMIN = "admin-token-0123456789abcdef";

  @TempDir
  Path dir;

  private Vertx vertx;
  private TandemNode node;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      join(node.stop());
    }
    join(vertx.close());
  }

  private static <T> T join(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.apiPort() + path))
        .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private TandemNode startNode(Path config) throws Exception {
    node = TandemNode.create(vertx, TestConfigs.load(config), Clock.systemUTC(), TandemNode.Overrides.none());
    return join(node.start());
  }

  @Test
  void aReportedSwitchAndAnApiWindowOutliveARestartAndReplayFollowsThem() throws Exception {
    Path config = TestConfigs.fastDemo(dir, "recording: {path: observations.jsonl}\n");
    Files.writeString(config, Files.readString(config).replace("api: {host: 127.0.0.1, port: 0}",
        "api: {host: 127.0.0.1, port: 0, adminTokens: [\"" + ADMIN + "\"]}"));
    startNode(config);
    HttpResponse<String> put = send("PUT", "/api/v1/verdicts/order-platform/active",
        "{\"cloud\": \"secondary\", \"by\": \"controller-test\"}");
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(json.readTree(put.body()).at("/clouds/secondary/role").asText()).isEqualTo("active");
    HttpResponse<String> post = send("POST", "/api/v1/maintenance", "{\"id\": \"mw-db\", \"cloud\": \"secondary\","
        + " \"start\": \"2030-01-01T00:00:00Z\", \"end\": \"2030-01-01T01:00:00Z\", \"reason\": \"upgrade\", \"by\": \"ops\"}");
    assertThat(post.statusCode()).isEqualTo(201);
    assertThat(json.readTree(post.body()).get("durable").asBoolean()).isTrue();
    assertThat(dir.resolve("data").resolve(FailoverMemory.FILE)).content().contains("controller-test", "mw-db");
    join(node.stop());

    // The restarted node is on the reported cloud, not the configuration's, and has the window.
    startNode(config);
    assertThat(node.engine().activeCloud("order-platform")).isEqualTo("secondary");
    JsonNode active = json.readTree(send("GET", "/api/v1/verdicts/order-platform/active", null).body());
    assertThat(active.get("active").asText()).isEqualTo("secondary");
    assertThat(active.get("by").asText()).isEqualTo("controller-test");
    assertThat(json.readTree(send("GET", "/api/v1/verdicts/order-platform", null).body())
        .at("/clouds/secondary/role").asText()).isEqualTo("active");
    assertThat(json.readTree(send("GET", "/api/v1/maintenance", null).body()).findValuesAsText("id"))
        .containsExactly("mw-db");
    join(node.stop());
    node = null;

    // The recording: the contract's switch line, the maintenance line, and replay ends on secondary.
    String recording = Files.readString(dir.resolve("observations.jsonl"));
    List<JsonNode> controls = new ArrayList<>();
    for (String line : recording.split("\n")) {
      JsonNode n = json.readTree(line);
      if (n.get("type").asText().equals("switch") || n.get("type").asText().equals("maintenance")) {
        controls.add(n);
      }
    }
    assertThat(controls).hasSize(2);
    JsonNode sw = controls.get(0);
    assertThat(List.of(sw.fieldNames().next(), sw.size())).containsExactly("ts", 5);
    assertThat(sw.get("type").asText()).isEqualTo("switch");
    assertThat(sw.get("domain").asText()).isEqualTo("order-platform");
    assertThat(sw.get("active").asText()).isEqualTo("secondary");
    assertThat(sw.get("by").asText()).isEqualTo("controller-test");
    assertThat(controls.get(1).get("action").asText()).isEqualTo("add");
    assertThat(controls.get(1).get("by").asText()).isEqualTo("ops");

    var valid = TestConfigs.load(config);
    StringWriter out = new StringWriter();
    Replay.Summary summary = new Replay(TandemNode.engineSpec(valid.config().orElseThrow()), valid.sloSpecs())
        .run(new BufferedReader(new StringReader(recording)), out, n -> { });
    assertThat(summary.skipped()).isEmpty();
    String[] lines = out.toString().split("\n");
    JsonNode lastVerdict = null;
    for (String line : lines) {
      JsonNode n = json.readTree(line);
      if (n.get("type").asText().equals("verdict")) {
        lastVerdict = n.get("verdict");
      }
    }
    assertThat(lastVerdict).isNotNull();
    assertThat(lastVerdict.at("/clouds/secondary/role").asText()).isEqualTo("active");
  }
}
