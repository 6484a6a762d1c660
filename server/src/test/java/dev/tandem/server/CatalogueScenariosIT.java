package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.controller.Decision;
import dev.tandem.controller.Vote;
import dev.tandem.engine.verdict.CloudAssessment;
import dev.tandem.engine.verdict.Evidence;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.config.Validation;
import dev.tandem.server.demo.LoopDemo;
import dev.tandem.server.demo.Scenario;
import dev.tandem.server.paging.EventsV2Receiver;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cases of the gray-failure catalogue played live in the demo's loop ({@link LoopDemo}: three
 * observers, the controller, the simulator's traffic manager), with obs-primary paging a local
 * Events v2 receiver (service and observability routing keys apart) and two SLOs counting the
 * allocation step: a brownout is switched once, a broken component and a lossy vantage are never
 * switched, the lossy vantage pages nobody who owns the platform, and a vantage whose clock runs
 * ahead is a VANTAGE fault. Each case starts from fresh state.
 */
class CatalogueScenariosIT {
  private static final String DOMAIN = "order-platform";
  private static final String ACTIVE = "primary";
  private static final String STANDBY = "secondary";
  private static final String SERVICE_KEY = "itservicekey00000000000000000001";
  private static final String OBSERVABILITY_KEY = "itobservabilitykey00000000000002";

  @TempDir
  Path dir;

  private final Clock clock = Clock.systemUTC();
  private Vertx vertx;
  private EventsV2Receiver pagerDuty;
  private LoopDemo demo;
  private TandemConfig.Engine timings;
  /** Every verdict change of each observer after the baseline, in {@link LoopDemo#OBSERVERS} order. */
  private final List<List<Verdict>> changes = new ArrayList<>();
  private final List<Decision> decisions = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    pagerDuty = new EventsV2Receiver(vertx).start(0);
    Path file = TestConfigs.fastDemo(dir, "paging:\n  pagerduty: {url: \"" + pagerDuty.url() + "\", routingKey: \""
        + SERVICE_KEY + "\", observabilityRoutingKey: \"" + OBSERVABILITY_KEY + "\"}\n");
    // LoopScenariosIT's timings (three observers in one JVM on a shared machine), and the demo's
    // probe-based journey SLO beside inventory-api-availability: two SLOs count the allocation step.
    Files.writeString(file, Files.readString(file)
        .replace("intervalSeconds: 1\n  timeoutSeconds: 1", "intervalSeconds: 2\n  timeoutSeconds: 2")
        .replace("holdDownSeconds: 3, quorum: 2, probeWindowSeconds: 10, pathSilenceSeconds: 6",
            "holdDownSeconds: 4, quorum: 2, probeWindowSeconds: 12, pathSilenceSeconds: 10")
        .replace("slos: [order-submission-availability, inventory-api-availability]",
            "slos: [order-submission-availability, inventory-api-availability, order-journey-availability]"));
    Validation.Result config = TestConfigs.load(file);
    timings = config.config().get().engine();
    assertThat(timings.holdDownSeconds()).isEqualTo(4);
    assertThat(config.config().get().domains().get(0).slos()).contains("order-journey-availability");
    demo = LoopDemo.start(vertx, config.config().get(), config.journeys(), config.sloSpecs(), clock,
        Map.of("primary", 0, "secondary", 0)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      for (TandemNode n : demo.observers()) {
        Verdict v = current(n);
        assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
        assertThat(v.clouds().get(ACTIVE).fault()).as(v.reason()).isEqualTo(Fault.NONE);
        assertThat(v.clouds().get(STANDBY).ready()).as(v.reason()).isTrue();
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
    pagerDuty.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aBrownoutOfThirtyFivePercentFailsOverAndIsSwitchedOnce() {
    demo.play(Scenario.BROWNOUT_35, Duration.ZERO);

    await().atMost(Duration.ofSeconds(90))
        .failFast("a HOLD", () -> assertThat(allChanges()).noneMatch(v -> v.recommendation() == Recommendation.HOLD))
        .until(() -> demo.lastSwitch().isPresent());
    assertThat(allChanges()).as("FAILOVER was recommended, cloud-wide").anySatisfy(v -> {
      assertThat(v.recommendation()).isEqualTo(Recommendation.FAILOVER);
      assertThat(v.clouds().get(ACTIVE).fault()).isEqualTo(Fault.CLOUD_WIDE);
    });
    LoopDemo.Switch first = demo.lastSwitch().orElseThrow();
    assertThat(first.from()).isEqualTo(ACTIVE);
    assertThat(first.to()).isEqualTo(STANDBY);

    // Settled: every observer follows the switch and stays on the new active, and the controller
    // has since read all three and left it there (the old active still browns out, as standby).
    Instant switched = first.at();
    await().atMost(Duration.ofSeconds(60)).failFast("a second switch", this::atMostOneSwitch).until(() -> {
      for (TandemNode n : demo.observers()) {
        Verdict v = current(n);
        if (!v.clouds().get(STANDBY).role().equals(CloudAssessment.ACTIVE) || v.recommendation() != Recommendation.STAY
            || !v.generatedAt().isAfter(switched)) {
          return false;
        }
      }
      return decisions.stream().anyMatch(d -> d.at().isAfter(switched.plusSeconds(timings.tickSeconds()))
          && d.active().equals(STANDBY) && d.votes().size() == 3
          && d.votes().stream().allMatch(b -> b.vote() == Vote.STAY));
    });
    atMostOneSwitch();
    assertThat(demo.sim().active()).isEqualTo(STANDBY);
    // obs-primary pages: critically if it recommended FAILOVER before the switch, else (the other
    // two were quicker) as the new standby's loss of failover protection; one incident either way.
    await().atMost(Duration.ofSeconds(30)).until(() -> !triggers(SERVICE_KEY).isEmpty());
    assertThat(triggers(SERVICE_KEY)).as("the owner's pages are about primary's cloud-wide failure")
        .allSatisfy(t -> assertThat(t.path("dedup_key").asText()).isEqualTo("tandem/order-platform/primary/CLOUD_WIDE"));
    assertThat(incidentsPerRoutingKey()).as("incidents per routing key").allSatisfy((key, n) -> assertThat(n).isEqualTo(1));
    assertThat(triggers(OBSERVABILITY_KEY)).as("warnings to observability").isEmpty();
  }

  @Test
  void aComponentUnderTwoSlosIsNeverSwitchedAndPagesItsOwnerOnceNotCritically() {
    demo.play(Scenario.COMPONENT_TWO_SLOS, Duration.ZERO);

    watchUntilEveryObserverHeldPastTheHoldDown(List.of(Fault.COMPONENT, Fault.COMPONENT, Fault.COMPONENT));

    for (int i = 0; i < 3; i++) {
      Verdict v = current(demo.observers().get(i));
      assertThat(v.clouds().get(ACTIVE).fault()).as(LoopDemo.OBSERVERS.get(i) + ": " + v.reason())
          .isEqualTo(Fault.COMPONENT);
    }
    assertThat(demo.sim().faults(ACTIVE).errorRate()).containsEntry("allocate", 1.0);
    neverSwitched();
    assertThat(triggers(SERVICE_KEY)).as("never a critical page for a component").allSatisfy(t ->
        assertThat(t.at("/payload/severity").asText()).as(t.toString()).isNotEqualTo("critical"));
    assertThat(triggers(SERVICE_KEY)).as("the owner's pages name the component").allSatisfy(t ->
        assertThat(t.path("dedup_key").asText()).isEqualTo("tandem/order-platform/primary/COMPONENT"));
    assertThat(incidentsPerRoutingKey()).as("incidents per routing key").allSatisfy((key, n) -> assertThat(n).isEqualTo(1));
  }

  @Test
  void aVantageLosingHalfItsRequestsIsItsObserversVantageFaultAndPagesNoOwner() {
    demo.play(Scenario.LOSSY_VANTAGE_50, Duration.ZERO);

    // ext-1 is obs-primary's vantage; the other observers probe from their own and see nothing.
    watchUntilEveryObserverHeldPastTheHoldDown(List.of(Fault.VANTAGE, Fault.NONE, Fault.NONE));

    Verdict v = current(demo.observers().get(0));
    assertThat(v.clouds().get(ACTIVE).evidence()).as(v.reason()).anySatisfy(e -> {
      assertThat(e.fields()).containsEntry("signal", "vantage-blamed").containsEntry("vantage", "ext-1");
    });
    neverSwitched();
    for (int i = 1; i < 3; i++) {
      assertThat(changes.get(i)).as(LoopDemo.OBSERVERS.get(i) + " never sees a fault on " + ACTIVE)
          .allSatisfy(c -> assertThat(c.clouds().get(ACTIVE).fault()).as(c.reason()).isEqualTo(Fault.NONE));
    }
    assertThat(triggers(SERVICE_KEY)).as("pages to the owner").isEmpty();
    assertThat(triggers(OBSERVABILITY_KEY)).as("one warning to observability").singleElement().satisfies(t -> {
      assertThat(t.path("dedup_key").asText()).isEqualTo("tandem/observability/vantage/ext-1");
      assertThat(t.at("/payload/severity").asText()).isEqualTo("warning");
    });
  }

  @Test
  void aVantageWhoseClockRunsTwoMinutesAheadIsAVantageFault() {
    demo.play(Scenario.CLOCK_AHEAD, Duration.ZERO);

    watchUntilEveryObserverHeldPastTheHoldDown(List.of(Fault.VANTAGE, Fault.NONE, Fault.NONE));

    Verdict v = current(demo.observers().get(0));
    List<Evidence> skew = v.clouds().get(ACTIVE).evidence().stream()
        .filter(e -> "clock-skew".equals(e.fields().get("signal"))).toList();
    assertThat(skew).as(v.reason()).singleElement().satisfies(e -> {
      assertThat(e.fields()).containsEntry("vantage", "ext-1");
      assertThat(((Number) e.fields().get("aheadSeconds")).longValue()).isBetween(110L, 130L);
    });
    neverSwitched();
    assertThat(triggers(SERVICE_KEY)).as("pages to the owner").isEmpty();
    assertThat(triggers(OBSERVABILITY_KEY)).extracting(t -> t.path("dedup_key").asText())
        .containsExactly("tandem/observability/vantage/ext-1");
  }

  /**
   * Waits until each observer names its expected fault on the active cloud, without a break, for
   * longer than the hold-down (what an outage needs to become FAILOVER), and the controller has
   * since polled all three and counted STAY votes; fails as soon as anything recommends other
   * than STAY or anything switches.
   */
  private void watchUntilEveryObserverHeldPastTheHoldDown(List<Fault> expected) {
    ConditionFactory watching = await().atMost(Duration.ofSeconds(90))
        .failFast("a recommendation other than STAY, or a switch", this::neverSwitched);
    watching.untilAsserted(() -> {
      for (int i = 0; i < expected.size(); i++) {
        Verdict v = current(demo.observers().get(i));
        assertThat(v.clouds().get(ACTIVE).fault()).as(LoopDemo.OBSERVERS.get(i) + ": " + v.reason())
            .isEqualTo(expected.get(i));
      }
    });
    Duration holdDown = Duration.ofSeconds(timings.holdDownSeconds());
    Duration tick = Duration.ofSeconds(timings.tickSeconds());
    watching.until(() -> {
      Instant heldPastHoldDown = Instant.MIN;
      for (int i = 0; i < expected.size(); i++) {
        if (expected.get(i) == Fault.NONE) {
          continue;
        }
        Instant since = heldSince(i, expected.get(i));
        if (since == null || !current(demo.observers().get(i)).generatedAt().isAfter(since.plus(holdDown))) {
          return false;
        }
        Instant past = since.plus(holdDown);
        heldPastHoldDown = past.isAfter(heldPastHoldDown) ? past : heldPastHoldDown;
      }
      Instant readAfter = heldPastHoldDown.plus(tick);
      return decisions.stream().anyMatch(d -> d.at().isAfter(readAfter) && d.votes().size() == 3
          && d.votes().stream().allMatch(b -> b.vote() == Vote.STAY));
    });
  }

  /** No observer recommended anything but STAY since the baseline, and nothing switched. */
  private void neverSwitched() {
    for (int i = 0; i < changes.size(); i++) {
      assertThat(changes.get(i)).as(LoopDemo.OBSERVERS.get(i) + " never recommends anything but STAY")
          .allSatisfy(v -> assertThat(v.recommendation()).as(v.reason()).isEqualTo(Recommendation.STAY));
    }
    assertThat(decisions).allSatisfy(d -> assertThat(d.outcome()).as(d.explanation()).isEqualTo(Decision.Outcome.STAY));
    assertThat(demo.lastSwitch()).as("a switch of the traffic manager").isEmpty();
    assertThat(demo.sim().active()).isEqualTo(ACTIVE);
  }

  private void atMostOneSwitch() {
    assertThat(decisions.stream().filter(d -> d.outcome() == Decision.Outcome.SWITCHED))
        .as("switches").hasSizeLessThanOrEqualTo(1);
  }

  private List<Verdict> allChanges() {
    List<Verdict> all = new ArrayList<>();
    changes.forEach(all::addAll);
    return all;
  }

  /** Triggers accepted for a routing key, in order. */
  private List<JsonNode> triggers(String routingKey) {
    return pagerDuty.accepted().stream().filter(b -> b.path("routing_key").asText().equals(routingKey)
        && b.path("event_action").asText().equals("trigger")).toList();
  }

  /** Incidents opened per routing key: a trigger for a dedup key not already open on that key. */
  private Map<String, Integer> incidentsPerRoutingKey() {
    Map<String, Integer> out = new LinkedHashMap<>();
    Set<String> open = new HashSet<>();
    for (JsonNode b : pagerDuty.accepted()) {
      String key = b.path("routing_key").asText();
      String incident = key + " " + b.path("dedup_key").asText();
      if (b.path("event_action").asText().equals("trigger")) {
        if (open.add(incident)) {
          out.merge(key, 1, Integer::sum);
        }
      } else {
        open.remove(incident);
      }
    }
    return out;
  }

  private static Verdict current(TandemNode n) {
    return n.engine().current(DOMAIN).orElseThrow();
  }

  /** When observer {@code i} began naming {@code fault} on the active cloud without a break since; null if it does not now. */
  private Instant heldSince(int i, Fault fault) {
    List<Verdict> mine = List.copyOf(changes.get(i));
    Instant since = null;
    for (int k = mine.size() - 1; k >= 0 && mine.get(k).clouds().get(ACTIVE).fault() == fault; k--) {
      since = mine.get(k).generatedAt();
    }
    return since;
  }
}
