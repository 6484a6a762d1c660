package dev.tandem.server.paging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.TestConfigs;
import dev.tandem.server.it.TandemContainers;
import io.vertx.core.Vertx;
import java.io.IOException;
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
 * A page accepted while PagerDuty is unreachable survives SIGKILL: the real jar runs the demo's
 * cloud outage, its critical trigger waits in the outbox, the process is killed, PagerDuty comes
 * back, the restarted process delivers the trigger once (and resolves it when the new run sees
 * the cloud healthy).
 */
class PagingRestartIT {
  private static final String DEDUP = "tandem/order-platform/primary/CLOUD_WIDE";

  @TempDir
  Path dir;

  private Process process;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    if (process != null) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Process demo(Path config, String log, String... extra) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-jar",
        Path.of("target", "tandem-all.jar").toAbsolutePath().toString(), "demo", "--config", config.toString()));
    cmd.addAll(List.of(extra));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
  }

  private String outbox() throws IOException {
    Path paging = dir.resolve("data").resolve("paging");
    if (!Files.isDirectory(paging)) {
      return "";
    }
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(paging)) {
      for (Path p : files.toList()) {
        all.append(Files.readString(p));
      }
    }
    return all.toString();
  }

  @Test
  void aPageAcceptedBeforeSigkillIsDeliveredOnceAfterRestart() throws Exception {
    int pdPort = TandemContainers.freeLoopbackPort();
    Path config = TestConfigs.fastDemo(dir, """
        paging:
          flapSeconds: 0
          pagerduty: {url: "http://127.0.0.1:%d/v2/enqueue", routingKey: "R0UT1NGKEY0123456789abcdefABCDEF"}
        """.formatted(pdPort));
    Files.writeString(config, Files.readString(config)
        .replace("targets: {primary: \"http://127.0.0.1:1\", secondary: \"http://127.0.0.1:2\"}",
            "targets: {primary: \"http://127.0.0.1:0\", secondary: \"http://127.0.0.1:0\"}"));

    // PagerDuty is unreachable: nothing listens on its port.
    process = demo(config, "first.log", "--scenario", "cloud-outage");
    // The critical trigger: under load the outage may first look like a brownout below the
    // threshold, paged as an error and escalated in place (same key, same incident).
    await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
      assertThat(process.isAlive()).as("demo exited: %s", Files.readString(dir.resolve("first.log"))).isTrue();
      assertThat(outbox()).contains(DEDUP).contains("trigger").contains("critical");
    });
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    assertThat(Files.readString(dir.resolve("first.log"))).doesNotContain("R0UT1NGKEY");

    EventsV2Receiver pagerDuty = new EventsV2Receiver(vertx).start(pdPort);
    try {
      process = demo(config, "second.log");
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        List<JsonNode> triggers = pagerDuty.accepted().stream()
            .filter(b -> b.path("dedup_key").asText().equals(DEDUP) && b.path("event_action").asText().equals("trigger"))
            .toList();
        assertThat(triggers).filteredOn(t -> t.at("/payload/severity").asText().equals("critical")).hasSize(1);
        assertThat(triggers).allSatisfy(t -> assertThat(t.path("routing_key").asText())
            .isEqualTo("R0UT1NGKEY0123456789abcdefABCDEF"));
      });
      // The new run sees the primary healthy: the incident is resolved with the same key.
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(pagerDuty.accepted())
          .anyMatch(b -> b.path("dedup_key").asText().equals(DEDUP) && b.path("event_action").asText().equals("resolve")));
      assertThat(pagerDuty.violations()).isEmpty();
      // Delivered once: each trigger the outbox held went out once (at most an error and its
      // critical escalation, one incident).
      List<String> delivered = pagerDuty.accepted().stream().filter(b -> b.path("dedup_key").asText().equals(DEDUP)
          && b.path("event_action").asText().equals("trigger")).map(b -> b.at("/payload/severity").asText()).toList();
      assertThat(delivered).doesNotHaveDuplicates().contains("critical");
      assertThat(Files.readString(dir.resolve("second.log"))).doesNotContain("R0UT1NGKEY");
    } finally {
      pagerDuty.close();
    }
  }
}
