package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.controller.DomainPolicy;
import dev.tandem.controller.service.ControllerConfig;
import dev.tandem.controller.service.ControllerService;
import dev.tandem.controller.service.Token;
import dev.tandem.controller.traffic.SimulatorTrafficSwitch;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.Validation;
import dev.tandem.sim.CloudFaults;
import dev.tandem.sim.CloudSettings;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Production layout across a real switch: an observer (collectors and engine), two probes-only
 * vantage processes that follow its verdict stream ({@code synthetics.follow}), the reference
 * failover controller and the simulator's traffic manager. The active cloud fails; the controller
 * switches the traffic manager and tells the observer; the vantages take the new active cloud
 * from the observer's stream and run the active-only journey against it; a vantage restarted
 * without the stream still knows it, and takes a switch reported to it directly.
 */
class VantageFollowsSwitchIT {
  private static final String ADMIN = "vantage-it-admin-0123456789abcdef";
  private static final List<String> VANTAGES = List.of("ext-1", "in-secondary");

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private final List<TandemNode> nodes = new ArrayList<>();
  private PlatformSimulator sim;
  private ControllerService controller;

  private static <T> T join(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    if (controller != null) {
      join(controller.stop());
    }
    for (TandemNode n : nodes) {
      join(n.stop());
    }
    if (sim != null) {
      join(sim.stop());
    }
    join(vertx.close());
  }

  private TandemNode start(Path config) throws Exception {
    Validation.Result valid = Validation.check(config, new ConfigLoader(n -> null));
    assertThat(valid.problems().sorted()).as("%s", valid.problems()).isEmpty();
    TandemNode n = TandemNode.create(vertx, valid, Clock.systemUTC(), TandemNode.Overrides.none());
    nodes.add(n);
    return join(n.start());
  }

  private JsonNode get(int port, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  /** A probes-only process for one vantage: exports to the observer's paths, follows it unless {@code follow} is null. */
  private Path vantageConfig(String vantage, TandemNode observer, String follow) throws Exception {
    Path own = Files.createDirectories(dir.resolve(vantage));
    String yaml = Files.readString(TestConfigs.fastDemo(own, "roles: [synthetics]\n"))
        .replace("targets: {primary: \"http://127.0.0.1:1\", secondary: \"http://127.0.0.1:2\"}",
            "targets: {primary: \"" + sim.baseUrl("primary") + "\", secondary: \"" + sim.baseUrl("secondary") + "\"}\n"
                + "  vantage: " + vantage + "\n"
                + (follow == null ? "" : "  follow: {url: \"" + follow + "\", token: \"" + ADMIN + "\"}\n")
                + "  export:\n"
                + "    - {path: path-a, url: \"http://127.0.0.1:" + observer.pathPorts().get("path-a") + "\"}\n"
                + "    - {path: path-b, url: \"http://127.0.0.1:" + observer.pathPorts().get("path-b") + "\"}")
        .replace("api: {host: 127.0.0.1, port: 0}", "api: {host: 127.0.0.1, port: 0, adminTokens: [\"" + ADMIN + "\"]}");
    Files.writeString(own.resolve("tandem.yaml"), yaml);
    return own.resolve("tandem.yaml");
  }

  /** Fresh, passing order-to-invoice results from every vantage against {@code cloud}, newer than {@code after}. */
  private void activeJourneyRunsOn(TandemNode observer, String cloud, Instant after) throws Exception {
    JsonNode cells = get(observer.apiPort(), "/api/v1/probes").get("cells");
    for (String v : VANTAGES) {
      assertThat(cells).as("%s runs order-to-invoice on %s", v, cloud).anySatisfy(c -> {
        assertThat(c.get("vantage").asText()).isEqualTo(v);
        assertThat(c.get("journey").asText()).isEqualTo("order-to-invoice");
        assertThat(c.get("cloud").asText()).isEqualTo(cloud);
        assertThat(c.get("ok").asBoolean()).isTrue();
        assertThat(Instant.parse(c.get("at").asText())).isAfter(after);
      });
    }
  }

  @Test
  void vantagesFollowTheActiveCloudAcrossAFailoverAndRememberIt() throws Exception {
    Path observerDir = Files.createDirectories(dir.resolve("observer"));
    Path observerConfig = TestConfigs.fastDemo(observerDir, "roles: [collector, engine]\n");
    Files.writeString(observerConfig, Files.readString(observerConfig)
        .replace("api: {host: 127.0.0.1, port: 0}", "api: {host: 127.0.0.1, port: 0, adminTokens: [\"" + ADMIN + "\"]}")
        .replace("    - {id: in-primary, provider: primary, region: eu-west}\n", ""));
    TandemNode observer = start(observerConfig);
    sim = PlatformSimulator.create(vertx, SimSettings.builder()
        .primary(new CloudSettings("primary", "eu-west", 0, "http://127.0.0.1:" + observer.pathPorts().get("path-a")))
        .secondary(new CloudSettings("secondary", "eu-central", 0,
            "http://127.0.0.1:" + observer.pathPorts().get("path-b")))
        .build());
    join(sim.start());
    String observerUrl = "http://127.0.0.1:" + observer.apiPort();
    List<TandemNode> vantages = new ArrayList<>();
    for (String v : VANTAGES) {
      vantages.add(start(vantageConfig(v, observer, observerUrl)));
    }
    ControllerConfig cc = new ControllerConfig(dir.resolve("controller.yaml"),
        List.of(new ControllerConfig.Observer("obs-test", observerUrl, Optional.of(Token.of(ADMIN)))),
        List.of(new DomainPolicy("order-platform", List.of("primary", "secondary"), "primary")), 1,
        Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(600), Optional.empty(), sim.adminUrl(),
        dir.resolve("decisions.jsonl"), 5, new ControllerConfig.Api("127.0.0.1", 0, Optional.empty()), false,
        "controller-it");
    controller = join(ControllerService.start(vertx, cc,
        SimulatorTrafficSwitch.create(vertx, sim.adminUrl(), Duration.ofSeconds(2)), Clock.systemUTC()));

    // Baseline: both vantages probe, the observer sees primary healthy and secondary ready.
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().untilAsserted(() -> {
      JsonNode v = get(observer.apiPort(), "/api/v1/verdicts/order-platform");
      assertThat(v.get("recommendation").asText()).isEqualTo("STAY");
      assertThat(v.at("/clouds/primary/health").asText()).isEqualTo("HEALTHY");
      assertThat(v.at("/clouds/secondary/ready").asBoolean()).as(v.toString()).isTrue();
      activeJourneyRunsOn(observer, "primary", Instant.EPOCH);
      for (TandemNode n : vantages) {
        assertThat(n.problems()).as("following the observer").isEmpty();
      }
    });

    sim.setFaults("primary", CloudFaults.none().withDown(true));
    await().atMost(Duration.ofSeconds(90)).until(() -> sim.active().equals("secondary"));
    Instant switched = Instant.now();
    // The vantages take the switch from the observer's stream and run the active-only journey on
    // the new active; the observer settles on STAY with the roles swapped.
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
      for (TandemNode n : vantages) {
        JsonNode a = get(n.apiPort(), "/api/v1/verdicts/order-platform/active");
        assertThat(a.get("active").asText()).isEqualTo("secondary");
        assertThat(a.get("by").asText()).isEqualTo("follow:obs-test");
      }
      activeJourneyRunsOn(observer, "secondary", switched);
      JsonNode v = get(observer.apiPort(), "/api/v1/verdicts/order-platform");
      assertThat(v.at("/clouds/secondary/role").asText()).isEqualTo("active");
      assertThat(v.at("/clouds/secondary/health").asText()).isEqualTo("HEALTHY");
      assertThat(v.get("recommendation").asText()).isEqualTo("STAY");
    });
    assertThat(get(observer.apiPort(), "/api/v1/verdicts/order-platform/active").get("by").asText())
        .isEqualTo("controller-it");
    assertThat(vantages.get(0).registry().scrape()).contains("tandem_follow_switches_total 1.0");

    // A vantage restarted without the stream remembers the switch: it does not go back to the
    // configuration's primary. A switch reported to it directly (PUT, admin token) moves it.
    TandemNode first = vantages.get(0);
    join(first.stop());
    nodes.remove(first);
    TandemNode restarted = start(vantageConfig(VANTAGES.get(0), observer, null));
    assertThat(restarted.engine().activeCloud("order-platform")).isEqualTo("secondary");
    JsonNode remembered = get(restarted.apiPort(), "/api/v1/verdicts/order-platform/active");
    assertThat(remembered.get("by").asText()).isEqualTo("follow:obs-test");
    HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restarted.apiPort()
            + "/api/v1/verdicts/order-platform/active")).header("Authorization", "Bearer " + ADMIN)
        .PUT(HttpRequest.BodyPublishers.ofString("{\"cloud\": \"primary\", \"by\": \"operator\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(json.readTree(put.body()).get("active").asText()).isEqualTo("primary");
    assertThat(json.readTree(put.body()).get("durable").asBoolean()).isTrue();
    HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + restarted.apiPort() + "/api/v1/verdicts/order-platform/active"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"cloud\": \"secondary\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(restarted.engine().activeCloud("order-platform")).isEqualTo("primary");
  }
}
