package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.sim.CloudFaults;
import dev.tandem.sim.CloudSettings;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failover loop with real processes: three observers ({@code java -jar tandem-all.jar run})
 * and the failover controller ({@code java -jar tandem-all.jar controller}), each its own JVM,
 * watching the platform simulator (in this JVM) over real HTTP and OTLP. An outage of the active
 * cloud leads to exactly one switch; the observers follow it and settle on STAY with the roles
 * swapped; when the old active recovers and the new one then fails, the observers ask to switch
 * back, and the controller refuses inside its anti-flap period.
 */
class FailoverLoopJarIT {
  private static final String TOKEN = "loop-it-admin-token-0123456789abcdef";
  private static final List<String> OBSERVERS = List.of("obs-primary", "obs-secondary", "obs-external");

  @TempDir
  Path dir;

  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private Vertx vertx;
  private PlatformSimulator sim;

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    // Keep the processes' output for a failed run's post-mortem (the temp folder is deleted).
    Path keep = Files.createDirectories(Path.of("target", "failover-loop-it"));
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".out") || f.toString().endsWith(".err")
          || f.toString().endsWith(".jsonl")).toList()) {
        Files.copy(f, keep.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (sim != null) {
      sim.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Process launch(String name, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx192m", "-XX:TieredStopAtLevel=1", "-jar",
        Path.of("target", "tandem-all.jar").toAbsolutePath().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
    pb.environment().put("TANDEM_TEST_ADMIN", TOKEN);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private JsonNode getJson(String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + " " + r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  @Test
  void outageSwitchesOnceObserversFollowAndNoSwitchBackDuringAntiFlap() throws Exception {
    int[][] paths = new int[3][2];
    int[] apis = new int[3];
    for (int i = 0; i < 3; i++) {
      paths[i][0] = freePort();
      paths[i][1] = freePort();
      apis[i] = freePort();
    }
    int controllerPort = freePort();

    vertx = Vertx.vertx();
    List<String> toPrimary = new ArrayList<>();
    List<String> toSecondary = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      toPrimary.add("http://127.0.0.1:" + paths[i][0]);
      toSecondary.add("http://127.0.0.1:" + paths[i][1]);
    }
    sim = PlatformSimulator.create(vertx, SimSettings.builder()
        .primary(new CloudSettings("primary", "eu-west", 0, toPrimary.get(0), toPrimary.subList(1, 3)))
        .secondary(new CloudSettings("secondary", "eu-central", 0, toSecondary.get(0), toSecondary.subList(1, 3)))
        .build());
    sim.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    for (int i = 0; i < 3; i++) {
      String id = OBSERVERS.get(i);
      String cloud = i == 0 ? "primary" : i == 1 ? "secondary" : "external";
      String v = id.substring(4) + "-";
      Path own = Files.createDirectories(dir.resolve(id));
      Files.writeString(own.resolve("tandem.yaml"), """
          observer: {id: %s, cloud: %s}
          clouds:
            primary: {region: eu-west}
            secondary: {region: eu-central}
          domains:
            - id: order-platform
              active: primary
              standby: secondary
              rpoSeconds: 60
              journeys: [order-to-invoice, stock-lookup, standby-readiness]
              slos: [order-submission-availability, inventory-api-availability]
          paths:
            - {id: path-a, cloud: primary,   otlp: {host: 127.0.0.1, httpPort: %d, grpcPort: 0}}
            - {id: path-b, cloud: secondary, otlp: {host: 127.0.0.1, httpPort: %d, grpcPort: 0}}
          synthetics:
            intervalSeconds: 2
            timeoutSeconds: 2
            vantages:
              - {id: %sext-1, provider: third-party, region: eu}
              - {id: %sin-primary, provider: primary, region: eu-west}
              - {id: %sin-secondary, provider: secondary, region: eu-central}
            targets: {primary: "%s", secondary: "%s"}
            journeys: ["%s/journeys/*.yaml"]
          slos: ["%s/slos/*.yaml"]
          # No anti-flap in the observers: the controller's own anti-flap must hold on its own.
          engine: {tickSeconds: 1, holdDownSeconds: 4, quorum: 2, probeWindowSeconds: 12, pathSilenceSeconds: 10, antiFlapSeconds: 0}
          storage: {dir: data}
          api: {host: 127.0.0.1, port: %d, adminTokens: ["${env:TANDEM_TEST_ADMIN}"]}
          """.formatted(id, cloud, paths[i][0], paths[i][1], v, v, v, sim.baseUrl("primary"),
          sim.baseUrl("secondary"), TestConfigs.DEMO, TestConfigs.DEMO, apis[i]));
      launch(id, "run", "--config", own.resolve("tandem.yaml").toString());
    }
    StringBuilder observers = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      observers.append("  - {id: ").append(OBSERVERS.get(i)).append(", url: \"http://127.0.0.1:").append(apis[i])
          .append("\", token: \"${env:TANDEM_TEST_ADMIN}\"}\n");
    }
    Files.writeString(dir.resolve("controller.yaml"), "observers:\n" + observers + """
        domains:
          - {id: order-platform, clouds: [primary, secondary], active: primary}
        quorum: 2
        pollIntervalSeconds: 0.5
        timeoutSeconds: 2
        antiFlapSeconds: 600
        switch: {simulator: "%s"}
        decisionLog: decisions.jsonl
        api: {host: 127.0.0.1, port: %d}
        """.formatted(sim.adminUrl(), controllerPort));
    Process controller = launch("controller", "controller", "--config", dir.resolve("controller.yaml").toString());
    String ctl = "http://127.0.0.1:" + controllerPort;

    // Baseline: every observer sees primary healthy and secondary ready; the controller reaches them all.
    // Four JVMs start on what may be a busy CI machine: the baseline gets time.
    await().atMost(Duration.ofSeconds(150)).ignoreExceptions().untilAsserted(() -> {
      assertThat(controller.isAlive()).as(Files.readString(dir.resolve("controller.err"))).isTrue();
      for (int i = 0; i < 3; i++) {
        JsonNode v = getJson("http://127.0.0.1:" + apis[i] + "/api/v1/verdicts/order-platform");
        assertThat(v.get("recommendation").asText()).isEqualTo("STAY");
        assertThat(v.at("/clouds/primary/health").asText()).isEqualTo("HEALTHY");
        assertThat(v.at("/clouds/secondary/ready").asBoolean()).as(v.toString()).isTrue();
      }
      JsonNode status = getJson(ctl + "/status");
      assertThat(status.at("/observers").findValuesAsText("reachable")).containsOnly("true");
    });

    // The outage: the active cloud fails as a whole.
    sim.applyFaults("primary", CloudFaults.none().withDown(true)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(90)).until(() -> sim.active().equals("secondary"));
    // Every observer is told and settles on STAY with the roles swapped.
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      for (int i = 0; i < 3; i++) {
        JsonNode v = getJson("http://127.0.0.1:" + apis[i] + "/api/v1/verdicts/order-platform");
        assertThat(v.at("/clouds/secondary/role").asText()).isEqualTo("active");
        assertThat(v.at("/clouds/primary/role").asText()).isEqualTo("standby");
        assertThat(v.get("recommendation").asText()).isEqualTo("STAY");
        assertThat(v.at("/clouds/secondary/health").asText()).isEqualTo("HEALTHY");
      }
    });

    // The old active recovers, then the new active fails: the observers ask to switch back...
    sim.clearFaults("primary");
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      for (int i = 0; i < 3; i++) {
        JsonNode v = getJson("http://127.0.0.1:" + apis[i] + "/api/v1/verdicts/order-platform");
        assertThat(v.at("/clouds/primary/health").asText()).isEqualTo("HEALTHY");
        assertThat(v.at("/clouds/primary/ready").asBoolean()).as(v.toString()).isTrue();
      }
    });
    sim.applyFaults("secondary", CloudFaults.none().withDown(true)).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    // ...and the controller refuses: its anti-flap period has not passed.
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      JsonNode d = getJson(ctl + "/status").at("/domains/0/lastDecision");
      assertThat(d.get("reason").asText()).isEqualTo("ANTI_FLAP");
      assertThat(d.get("outcome").asText()).isEqualTo("REFUSED");
      assertThat(d.get("votes").findValuesAsText("vote")).contains("FAILOVER");
    });
    assertThat(sim.active()).isEqualTo("secondary");

    List<JsonNode> log = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("decisions.jsonl"))) {
      log.add(json.readTree(line));
    }
    assertThat(log).filteredOn(l -> l.path("outcome").asText().equals("SWITCHED")).hasSize(1)
        .first().satisfies(l -> assertThat(l.get("target").asText()).isEqualTo("secondary"));
    assertThat(log).filteredOn(l -> l.path("type").asText().equals("report") && l.get("ok").asBoolean())
        .extracting(l -> l.get("observer").asText()).containsExactlyInAnyOrderElementsOf(OBSERVERS);
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(ctl + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("tandem_controller_decisions_total{domain=\"order-platform\",outcome=\"SWITCHED\",reason=\"QUORUM\"} 1.0")
        .containsPattern("tandem_controller_rpo_seconds\\{domain=\"order-platform\"} [0-9]")
        .containsPattern("tandem_controller_rto_seconds\\{domain=\"order-platform\"} [0-9]");
    for (String name : List.of("controller", OBSERVERS.get(0), OBSERVERS.get(1), OBSERVERS.get(2))) {
      assertThat(Files.readString(dir.resolve(name + ".out")) + Files.readString(dir.resolve(name + ".err")))
          .as("%s never logs the token", name).doesNotContain(TOKEN);
    }
  }
}
