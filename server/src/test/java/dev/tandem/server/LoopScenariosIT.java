package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.tandem.controller.Ballot;
import dev.tandem.controller.Decision;
import dev.tandem.controller.Vote;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.config.Validation;
import dev.tandem.server.demo.LoopDemo;
import dev.tandem.server.demo.Scenario;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scenarios that are not outages, played in the loop the CLI runs ({@link LoopDemo}: three
 * observers, the controller, the simulator's traffic manager): each observer names the fault the
 * scenario promises, none recommends FAILOVER, and the controller never switches, watched for
 * longer than a wrong FAILOVER would need to appear and be acted on.
 */
class LoopScenariosIT {
  private static final String DOMAIN = "order-platform";
  private static final String ACTIVE = "primary";

  @TempDir
  Path dir;

  private final Clock clock = Clock.systemUTC();
  private Vertx vertx;
  private LoopDemo demo;
  private TandemConfig.Engine timings;
  /** Every verdict change of each observer after the baseline, in {@link LoopDemo#OBSERVERS} order. */
  private final List<List<Verdict>> changes = new ArrayList<>();
  /** Every decision of the controller after the baseline (one per poll). */
  private final List<Decision> decisions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Path file = TestConfigs.fastDemo(dir, "");
    // The same timings as LoopDemoIT: three observers in one JVM on a shared CI machine.
    Files.writeString(file, Files.readString(file)
        .replace("intervalSeconds: 1\n  timeoutSeconds: 1", "intervalSeconds: 2\n  timeoutSeconds: 2")
        .replace("holdDownSeconds: 3, quorum: 2, probeWindowSeconds: 10, pathSilenceSeconds: 6",
            "holdDownSeconds: 4, quorum: 2, probeWindowSeconds: 12, pathSilenceSeconds: 10"));
    Validation.Result config = TestConfigs.load(file);
    timings = config.config().get().engine();
    assertThat(timings.holdDownSeconds()).isEqualTo(4);
    demo = LoopDemo.start(vertx, config.config().get(), config.journeys(), config.sloSpecs(), clock,
        Map.of("primary", 0, "secondary", 0)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      for (TandemNode n : demo.observers()) {
        Verdict v = current(n);
        assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
        assertThat(v.clouds().get(ACTIVE).fault()).as(v.reason()).isEqualTo(Fault.NONE);
        assertThat(v.clouds().get("secondary").ready()).as(v.reason()).isTrue();
      }
    });
    for (TandemNode n : demo.observers()) {
      List<Verdict> mine = new CopyOnWriteArrayList<>();
      changes.add(mine);
      n.engine().addListener((prev, next) -> mine.add(next));
    }
    demo.onDecision(decisions::add);
  }

  @AfterEach
  void stop() throws Exception {
    if (demo != null) {
      demo.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Each scenario with the fault each observer must name on the active cloud. */
  static Stream<Arguments> scenarios() {
    return Stream.of(
        // ext-1 is obs-primary's vantage; the others probe from their own (secondary-ext-1,
        // external-ext-1), whose network is fine: they must see nothing wrong.
        arguments(Scenario.VANTAGE_LOSS, List.of(Fault.VANTAGE, Fault.NONE, Fault.NONE)),
        // The simulator exports the active cloud's telemetry to every observer's path for it;
        // the scenario stops all of them.
        arguments(Scenario.TELEMETRY_PATH_LOSS, List.of(Fault.TELEMETRY, Fault.TELEMETRY, Fault.TELEMETRY)),
        arguments(Scenario.COMPONENT_FAULT, List.of(Fault.COMPONENT, Fault.COMPONENT, Fault.COMPONENT)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void aFaultThatIsNotAnOutageIsNamedAndNeverSwitches(Scenario scenario, List<Fault> expected) {
    demo.play(scenario, Duration.ZERO);
    // A wrong FAILOVER or switch fails the test as soon as it happens, not at a timeout.
    ConditionFactory watching = await().atMost(Duration.ofSeconds(60))
        .failFast("a FAILOVER or a switch", this::noFailoverAndNoSwitch);
    watching.untilAsserted(() -> {
      for (int i = 0; i < expected.size(); i++) {
        Verdict v = current(demo.observers().get(i));
        assertThat(v.clouds().get(ACTIVE).fault()).as(LoopDemo.OBSERVERS.get(i) + ": " + v.reason())
            .isEqualTo(expected.get(i));
      }
    });

    // Long enough for a wrong FAILOVER to have shown: every observer naming the fault has held it,
    // without a break, for longer than the hold-down (what an outage needs to become FAILOVER),
    // and the controller has since polled all three observers and counted their votes.
    Duration holdDown = Duration.ofSeconds(timings.holdDownSeconds());
    Duration tick = Duration.ofSeconds(timings.tickSeconds());
    watching.until(() -> {
      Instant heldPastHoldDown = Instant.MIN;
      for (int i = 0; i < expected.size(); i++) {
        if (expected.get(i) == Fault.NONE) {
          continue;
        }
        Optional<Instant> since = heldSince(i, expected.get(i));
        if (since.isEmpty()
            || !current(demo.observers().get(i)).generatedAt().isAfter(since.get().plus(holdDown))) {
          return false;
        }
        Instant past = since.get().plus(holdDown);
        heldPastHoldDown = past.isAfter(heldPastHoldDown) ? past : heldPastHoldDown;
      }
      // A decision on verdicts generated after that instant: the observers evaluate every tick.
      Instant readAfter = heldPastHoldDown.plus(tick);
      return decisions.stream().anyMatch(d -> d.at().isAfter(readAfter) && d.votes().size() == 3
          && d.votes().stream().allMatch(b -> b.vote() == Vote.STAY));
    });

    for (int i = 0; i < expected.size(); i++) {
      String observer = LoopDemo.OBSERVERS.get(i);
      Verdict now = current(demo.observers().get(i));
      assertThat(now.clouds().get(ACTIVE).fault()).as(observer + ": " + now.reason()).isEqualTo(expected.get(i));
      assertThat(now.recommendation()).as(observer + ": " + now.reason()).isEqualTo(Recommendation.STAY);
      if (expected.get(i) == Fault.NONE) {
        assertThat(changes.get(i)).as(observer + " has no vantage cut: it never sees a fault on " + ACTIVE)
            .allSatisfy(v -> assertThat(v.clouds().get(ACTIVE).fault()).as(v.reason()).isEqualTo(Fault.NONE));
      }
    }
    assertThat(decisions).as("the controller polled").isNotEmpty();
    noFailoverAndNoSwitch();
  }

  /**
   * No observer recommended anything but STAY since the baseline, every decision of the
   * controller was STAY for want of FAILOVER votes, and nothing switched: neither the controller
   * nor the simulator's traffic manager.
   */
  private void noFailoverAndNoSwitch() {
    for (int i = 0; i < changes.size(); i++) {
      assertThat(changes.get(i)).as(LoopDemo.OBSERVERS.get(i) + " never recommends anything but STAY")
          .allSatisfy(v -> assertThat(v.recommendation()).as(v.reason()).isEqualTo(Recommendation.STAY));
    }
    assertThat(decisions).allSatisfy(d -> {
      assertThat(d.outcome()).as(d.explanation()).isEqualTo(Decision.Outcome.STAY);
      assertThat(d.reason()).as(d.explanation()).isEqualTo(Decision.Reason.NO_FAILOVER_VOTES);
      assertThat(d.active()).isEqualTo(ACTIVE);
      assertThat(d.votes()).extracting(Ballot::vote).doesNotContain(Vote.FAILOVER, Vote.HOLD);
    });
    assertThat(demo.controller().controller().lastSwitch(DOMAIN)).as("the controller's last switch").isNull();
    assertThat(demo.controller().controller().active(DOMAIN)).isEqualTo(ACTIVE);
    assertThat(demo.lastSwitch()).as("a switch of the traffic manager").isEmpty();
    assertThat(demo.sim().active()).as("the traffic manager's active cloud").isEqualTo(ACTIVE);
  }

  private static Verdict current(TandemNode n) {
    return n.engine().current(DOMAIN).orElseThrow();
  }

  /**
   * When observer {@code i} began naming {@code fault} on the active cloud without a break since
   * (the first of its latest run of changes that all name it), on the demo's clock; empty when its
   * latest change does not name it.
   */
  private Optional<Instant> heldSince(int i, Fault fault) {
    List<Verdict> mine = List.copyOf(changes.get(i));
    Instant since = null;
    for (int k = mine.size() - 1; k >= 0 && mine.get(k).clouds().get(ACTIVE).fault() == fault; k--) {
      since = mine.get(k).generatedAt();
    }
    return Optional.ofNullable(since);
  }
}
