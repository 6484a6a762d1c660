package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.judge.VerdictEngine;
import dev.tandem.engine.verdict.ObserverIdentity;
import dev.tandem.server.api.ApiChanges;
import dev.tandem.server.config.Secret;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A probes-only process follows an observer's verdict stream, whatever the stream does. */
class VerdictStreamFollowerTest {
  private static final String DOMAIN = "order-platform";

  private Vertx vertx;
  private HttpServer server;
  private VerdictEngine engine;
  private VerdictStreamFollower follower;
  private final AtomicReference<String> active = new AtomicReference<>("primary");
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger connections = new AtomicInteger();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final List<HttpServerResponse> streams = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    engine = VerdictEngine.create(new EngineSpec(new ObserverIdentity("obs-follow", "primary"),
        List.of("primary", "secondary"),
        List.of(new DomainSpec(DOMAIN, "primary", "secondary", 60, "db.replication.lag", List.of("order-to-invoice"),
            List.of())),
        List.of(new VantageSpec("ext-1", "third-party", "eu")), List.of(new PathSpec("path-a", "primary")),
        new EngineSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), 1, Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofSeconds(60))), Clock.systemUTC());
    server = vertx.createHttpServer().requestHandler(req -> {
      connections.incrementAndGet();
      authorizations.add(String.valueOf(req.getHeader("Authorization")));
      if (status.get() != 200) {
        req.response().setStatusCode(status.get()).end("{\"error\": \"no\"}");
        return;
      }
      HttpServerResponse r = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
      r.write(": connected\n\n");
      r.write(event(active.get()));
      streams.add(r);
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    if (follower != null) {
      follower.stop();
    }
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String event(String activeCloud) {
    String standby = activeCloud.equals("primary") ? "secondary" : "primary";
    return "event: verdict\ndata: {\"domain\":\"" + DOMAIN + "\",\"observer\":{\"id\":\"obs-primary\",\"cloud\":\"primary\"},"
        + "\"recommendation\":\"STAY\",\"clouds\":{\"" + activeCloud + "\":{\"role\":\"active\"},\"" + standby
        + "\":{\"role\":\"standby\"}}}\n\n";
  }

  private void follow() {
    follower = new VerdictStreamFollower(vertx, "http://127.0.0.1:" + server.actualPort() + "/",
        Optional.of(new Secret("read-token")), ApiChanges.inMemory(engine, new SloEngine(List.of(),
            List.of("primary", "secondary"), Clock.systemUTC()), Clock.systemUTC()), Set.of(DOMAIN), Clock.systemUTC());
    follower.start();
  }

  @Test
  void aVerdictNamingAnotherActiveCloudMovesTheProbes() {
    follow();
    await().atMost(Duration.ofSeconds(10)).until(() -> follower.connected() && follower.verdicts() == 1);
    assertThat(engine.activeCloud(DOMAIN)).isEqualTo("primary");
    assertThat(follower.problem()).isEmpty();
    assertThat(authorizations).containsExactly("Bearer read-token");
    // Another domain, garbage, a comment, then the switch.
    streams.get(0).write("event: verdict\ndata: {\"domain\":\"other\",\"clouds\":{\"secondary\":{\"role\":\"active\"}}}\n\n"
        + "event: verdict\ndata: {not json\n\n: keep-alive\n\n" + event("secondary"));
    await().atMost(Duration.ofSeconds(10)).until(() -> engine.activeCloud(DOMAIN).equals("secondary"));
    assertThat(follower.switches()).isEqualTo(1);
    assertThat(engine.switchedAt(DOMAIN)).isPresent();
  }

  @Test
  void aLostStreamIsReconnectedAndCatchesUpOnWhatItMissed() {
    follow();
    await().atMost(Duration.ofSeconds(10)).until(() -> follower.connected());
    active.set("secondary"); // switched while the stream is down
    streams.get(0).reset();
    await().atMost(Duration.ofSeconds(20)).until(() -> engine.activeCloud(DOMAIN).equals("secondary"));
    assertThat(connections.get()).isGreaterThanOrEqualTo(2);
    assertThat(follower.reconnects()).isPositive();
  }

  @Test
  void aRefusedStreamIsRetriedAndSaysWhyMeanwhile() {
    status.set(401);
    follow();
    await().atMost(Duration.ofSeconds(10)).until(() -> follower.problem().isPresent()
        && follower.problem().get().contains("HTTP 401"));
    assertThat(follower.problem().get()).contains("synthetics.follow.token").doesNotContain("read-token");
    status.set(200);
    active.set("secondary");
    await().atMost(Duration.ofSeconds(20)).until(() -> engine.activeCloud(DOMAIN).equals("secondary"));
    assertThat(follower.problem()).isEmpty();
  }

  @Test
  void anEndlessLineDropsTheConnectionNotTheProcess() {
    follow();
    await().atMost(Duration.ofSeconds(10)).until(() -> follower.connected());
    streams.get(0).write("data: " + "x".repeat(VerdictStreamFollower.MAX_LINE + 10));
    await().atMost(Duration.ofSeconds(10)).until(() -> follower.reconnects() > 0);
    active.set("secondary");
    streams.forEach(s -> {
      if (!s.closed()) {
        s.write(event("secondary"));
      }
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> engine.activeCloud(DOMAIN).equals("secondary"));
  }
}
