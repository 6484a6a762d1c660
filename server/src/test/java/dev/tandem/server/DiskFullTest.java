package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.paging.EventsV2Receiver;
import dev.tandem.server.storage.FullDisk;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole observer with its storage folder full: it keeps judging and answering, says why on
 * {@code /readyz} and {@code /metrics}, keeps sending pages, and catches up once space returns.
 */
class DiskFullTest {
  @TempDir
  Path dir;

  private Vertx vertx;
  private EventsV2Receiver pagerDuty;
  private TandemNode node;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    pagerDuty = new EventsV2Receiver(vertx).start(0);
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      join(node.stop());
    }
    pagerDuty.close();
    join(vertx.close());
  }

  private static <T> T join(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.apiPort() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withStorageFullVerdictsAndTheApiKeepAnsweringAndPagesAreHeldUntilSpaceReturns() throws Exception {
    FullDisk disk = new FullDisk();
    Path config = TestConfigs.fastDemo(dir, "paging: {pagerduty: {url: \"" + pagerDuty.url()
        + "\", routingKey: svc-key-0123456789abcdef0123456789ab}}\n");
    node = TandemNode.create(vertx, TestConfigs.load(config), Clock.systemUTC(),
        TandemNode.Overrides.none().withFiles(disk));
    join(node.start());
    disk.fill();

    // Every probe target refuses connections: verdicts change, a page is due, all while nothing
    // can be written. The API is asked all along; it must answer every time.
    get("/api/v1/verdicts"); // the client's first connection is not the server's answer time
    long[] slowestMillis = {0};
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
      long t0 = System.nanoTime();
      HttpResponse<String> verdicts = get("/api/v1/verdicts");
      slowestMillis[0] = Math.max(slowestMillis[0], (System.nanoTime() - t0) / 1_000_000);
      assertThat(verdicts.statusCode()).isEqualTo(200);
      return !pagerDuty.accepted().isEmpty()
          && node.problems().stream().anyMatch(p -> p.startsWith("SLO journal cannot write"));
    });
    System.out.printf("disk full: slowest /api/v1/verdicts answer %d ms%n", slowestMillis[0]);

    JsonNode ready = json.readTree(get("/readyz").body());
    assertThat(ready.get("status").asText()).isEqualTo("degraded");
    assertThat(ready.get("problems").toString()).contains("No space left on device").contains("SLO journal");
    String metrics = get("/metrics").body();
    assertThat(metrics).containsPattern("tandem_storage_write_failures_total\\{writer=\"journal\"} [1-9]")
        .containsPattern("tandem_storage_failing\\{writer=\"journal\"} 1.0")
        .contains("tandem_paging_events_held_total")
        // Every drop counter is there, at zero or not: nothing is dropped unseen.
        .contains("tandem_storage_dropped_total{writer=\"journal\"}", "tandem_storage_dropped_total{writer=\"audit\"}",
            "tandem_storage_dropped_total{writer=\"outbox\"}", "tandem_probe_schedules_missed_total",
            "tandem_probe_schedules_shed_total", "tandem_probe_spans_dropped_total", "tandem_probe_spans_failed_total");
    assertThat(Files.readString(dir.resolve("data/paging/paging-outbox.jsonl"))).doesNotContain("CLOUD_WIDE");

    disk.free();
    await().atMost(Duration.ofSeconds(60)).until(() -> node.problems().isEmpty());
    assertThat(json.readTree(get("/readyz").body()).get("status").asText()).isEqualTo("ready");
    assertThat(Files.readString(dir.resolve("data/paging/paging-outbox.jsonl")))
        .as("the incident opened while the disk was full is on disk now").contains("tandem/order-platform");
    assertThat(pagerDuty.violations()).isEmpty();
  }
}
