package dev.tandem.synthetics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class ProbeSchedulerTest {
  private static final ProbeSettings EVERY_30_MS =
      ProbeSettings.of(Duration.ofMillis(30), Duration.ofSeconds(1)).withJitter(0.2);
  private static final Map<String, String> TARGETS =
      Map.of("primary", "http://127.0.0.1:9001", "secondary", "http://127.0.0.1:9002");

  @TempDir Path dir;

  private record Call(String journey, String cloud, String vantage) {}

  private final List<Call> calls = new CopyOnWriteArrayList<>();

  private Journey journey(String name, String roles) {
    return Journeys.parse(dir, "journey: " + name + "\nroles: " + roles + "\nsteps:\n"
        + "  - name: ping\n    request: {method: GET, path: /healthz}\n");
  }

  private static RunResult passed(Journey j, Target t, Vantage v) {
    return new RunResult("0af7651916cd43dd8448eb211c80319c", j.name(), t.cloud(), v.id(),
        Instant.EPOCH, 1, true, List.of(), List.of());
  }

  private ProbeScheduler.RunFunction recording() {
    return (j, t, v) -> {
      calls.add(new Call(j.name(), t.cloud(), v.id()));
      return Future.succeededFuture(passed(j, t, v));
    };
  }

  @Test
  void journeysRunOnlyAgainstCloudsInTheirRoleAndFollowAFailover(Vertx vertx) {
    AtomicReference<Map<String, String>> roles =
        new AtomicReference<>(Map.of("primary", "active", "secondary", "standby"));
    ProbeScheduler scheduler = ProbeScheduler.builder(vertx, recording())
        .journeys(List.of(journey("writes", "[active]"), journey("reads", "[standby]"),
            journey("both", "[both]")))
        .vantages(List.of(new Vantage("ext-1", "third-party"), new Vantage("in-primary", "primary")))
        .targets(TARGETS)
        .roles(roles::get)
        .settings(EVERY_30_MS)
        .random(new Random(7))
        .build();

    scheduler.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.stream().map(c -> c.journey() + c.cloud()
        + c.vantage()).distinct().count() == 8);
    assertThat(calls).filteredOn(c -> c.journey().equals("writes")).extracting(Call::cloud)
        .containsOnly("primary");
    assertThat(calls).filteredOn(c -> c.journey().equals("reads")).extracting(Call::cloud)
        .containsOnly("secondary");
    assertThat(calls).filteredOn(c -> c.journey().equals("both")).extracting(Call::cloud)
        .contains("primary", "secondary");

    roles.set(Map.of("primary", "standby", "secondary", "active"));
    int before = calls.size();
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.stream().skip(before)
        .anyMatch(c -> c.journey().equals("writes") && c.cloud().equals("secondary")));
    // Ticks already running when the roles changed may still show the old roles: look at the tail.
    int settled = calls.size();
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() > settled + 20);
    List<Call> tail = List.copyOf(calls);
    assertThat(tail.subList(settled, tail.size())).filteredOn(c -> c.journey().equals("writes"))
        .extracting(Call::cloud).containsOnly("secondary");
    scheduler.stop();
  }

  @Test
  void runStillGoingAtTheNextTickIsAMissedScheduleNotAQueuedRun(Vertx vertx) {
    AtomicReference<Promise<RunResult>> pending = new AtomicReference<>();
    ProbeScheduler scheduler = ProbeScheduler.builder(vertx, (j, t, v) -> {
          calls.add(new Call(j.name(), t.cloud(), v.id()));
          Promise<RunResult> promise = Promise.promise();
          pending.set(promise);
          return promise.future();
        })
        .journeys(List.of(journey("stuck", "[active]")))
        .vantages(List.of(new Vantage("ext-1", "third-party")))
        .targets(Map.of("primary", "http://127.0.0.1:9001"))
        .roles(() -> Map.of("primary", "active"))
        .settings(EVERY_30_MS)
        .random(new Random(1))
        .build();

    scheduler.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.missedSchedules() >= 3);
    assertThat(calls).hasSize(1);
    assertThat(scheduler.startedRuns()).isEqualTo(1);
    assertThat(scheduler.inFlight()).isEqualTo(1);
    assertThat(scheduler.status()).singleElement().satisfies(s -> {
      assertThat(s.running()).isTrue();
      assertThat(s.missed()).isGreaterThanOrEqualTo(3);
    });

    Promise<RunResult> first = pending.get();
    vertx.runOnContext(v -> first.complete(new RunResult("0af7651916cd43dd8448eb211c80319c", "stuck",
        "primary", "ext-1", Instant.EPOCH, 1, false, List.of(), List.of())));
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() >= 2);
    assertThat(scheduler.completedRuns()).isEqualTo(1);
    assertThat(scheduler.failedRuns()).isEqualTo(1);
    scheduler.stop();
  }

  @Test
  void ticksBeyondTheInFlightBoundAreShed(Vertx vertx) {
    ProbeScheduler scheduler = ProbeScheduler.builder(vertx, (j, t, v) -> {
          calls.add(new Call(j.name(), t.cloud(), v.id()));
          return Promise.<RunResult>promise().future();
        })
        .journeys(List.of(journey("stuck", "[both]")))
        .vantages(List.of(new Vantage("ext-1", "third-party")))
        .targets(TARGETS)
        .roles(() -> Map.of("primary", "active", "secondary", "standby"))
        .settings(EVERY_30_MS.withMaxInFlight(1))
        .build();

    scheduler.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.shedRuns() >= 2);
    assertThat(calls).hasSize(1);
    assertThat(scheduler.inFlight()).isEqualTo(1);
    scheduler.stop();
  }

  @Test
  void stopCancelsTheSchedulesAndWaitsForTheRunInProgress(Vertx vertx) {
    AtomicReference<Promise<RunResult>> pending = new AtomicReference<>();
    ProbeScheduler scheduler = ProbeScheduler.builder(vertx, (j, t, v) -> {
          calls.add(new Call(j.name(), t.cloud(), v.id()));
          Promise<RunResult> promise = Promise.promise();
          pending.set(promise);
          return promise.future();
        })
        .journeys(List.of(journey("slow", "[active]")))
        .vantages(List.of(new Vantage("ext-1", "third-party")))
        .targets(Map.of("primary", "http://127.0.0.1:9001"))
        .roles(() -> Map.of("primary", "active"))
        .settings(EVERY_30_MS)
        .build();
    scheduler.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() == 1);

    Future<Void> stopped = scheduler.stop();
    await().during(Duration.ofMillis(150)).atMost(Duration.ofSeconds(2)).until(() -> !stopped.isComplete());

    Promise<RunResult> run = pending.get();
    vertx.runOnContext(v -> run.complete(passed(journey("slow", "[active]"), new Target("primary",
        "http://127.0.0.1:9001"), new Vantage("ext-1", "third-party"))));
    await().atMost(Duration.ofSeconds(5)).until(stopped::succeeded);
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> calls.size() == 1);
    assertThat(scheduler.inFlight()).isZero();
  }

  @Test
  void aCloudWithoutARoleIsNotProbed(Vertx vertx) {
    ProbeScheduler scheduler = ProbeScheduler.builder(vertx, recording())
        .journeys(List.of(journey("both", "[both]")))
        .vantages(List.of(new Vantage("ext-1", "third-party")))
        .targets(TARGETS)
        .roles(() -> Map.of("primary", "active"))
        .settings(EVERY_30_MS)
        .build();

    scheduler.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> calls.size() >= 5);
    assertThat(calls).extracting(Call::cloud).containsOnly("primary");
    scheduler.stop();
  }
}
