package dev.tandem.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.catalogue.GrayFailure;
import dev.tandem.sim.CloudFaults;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What each scenario does to the simulator (a simulator that is not started: faults are values),
 * its timeline, and that the catalogue's cases have scenarios under their own ids.
 */
class ScenarioTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private Vertx vertx;
  private PlatformSimulator sim;
  private ShiftableClock vantageClock;
  private Scenario.Stage stage;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    sim = PlatformSimulator.create(vertx, SimSettings.builder().build());
    vantageClock = new ShiftableClock(Clock.fixed(T0, ZoneOffset.UTC));
    stage = new Scenario.Stage(sim, "primary", "secondary", List.of("external-ext-1"), "ext-1",
        Optional.of(vantageClock));
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(value = GrayFailure.class, names = "SLOW_BURN", mode = EnumSource.Mode.EXCLUDE)
  void everyCatalogueCaseThatCanBePlayedLiveHasAScenarioUnderItsId(GrayFailure g) {
    assertThat(Scenario.byId(g.id())).as("scenario " + g.id()).isPresent();
  }

  @Test
  void scenarioIdsAreUniqueAndTheDemosFirstFiveStay() {
    assertThat(Scenario.ids()).doesNotHaveDuplicates()
        .startsWith("cloud-outage", "vantage-loss", "telemetry-path-loss", "component-fault", "partitioned-observer");
    Arrays.stream(Scenario.values()).forEach(s -> {
      assertThat(s.fault()).isNotBlank();
      assertThat(s.expectedWithController()).as(s.id()).isNotBlank();
    });
  }

  @Test
  void aBrownoutFailsEveryOperationOfTheActiveCloudAtItsRate() {
    Scenario.BROWNOUT_35.inject(stage);

    assertThat(sim.faults("primary").errorRate()).hasSize(8).allSatisfy((op, rate) -> assertThat(rate).isEqualTo(0.35));
    assertThat(sim.faults("secondary").isNone()).isTrue();
  }

  @Test
  void theComponentCaseBreaksAllocationOnly() {
    Scenario.COMPONENT_TWO_SLOS.inject(stage);

    assertThat(sim.faults("primary").errorRate()).containsExactly(java.util.Map.entry("allocate", 1.0));
    assertThat(sim.faults("secondary").isNone()).isTrue();
  }

  @Test
  void aLossyVantageLosesItsShareToBothClouds() {
    Scenario.LOSSY_VANTAGE_20.inject(stage);

    assertThat(sim.faults("primary").lossOf("ext-1")).isEqualTo(0.20);
    assertThat(sim.faults("secondary").lossOf("ext-1")).isEqualTo(0.20);
    assertThat(sim.faults("primary").lossOf("in-primary")).isZero();
  }

  @Test
  void aSharedDependencyFailsEveryOperationOfBothClouds() {
    Scenario.SHARED_DEPENDENCY.inject(stage);

    for (String cloud : List.of("primary", "secondary")) {
      assertThat(sim.faults(cloud).errorRate()).as(cloud).hasSize(8).allSatisfy((op, rate) -> assertThat(rate).isEqualTo(1.0));
    }
  }

  @Test
  void aLatencyBrownoutStaysUnderTheProbesTimeout() {
    Scenario.LATENCY_BROWNOUT.inject(stage);

    // The demo's probes time out after 3 s and its journeys allow 2 s a step.
    assertThat(sim.faults("primary").latencyMs()).isPositive().isLessThan(2_000);
    assertThat(sim.faults("primary").errorRate()).isEmpty();
  }

  @Test
  void clockAheadShiftsTheVantagesClockTwoMinutesAndNothingInTheSimulator() {
    Scenario.CLOCK_AHEAD.inject(stage);

    assertThat(vantageClock.instant()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
    assertThat(sim.faults("primary").isNone()).isTrue();
    assertThat(sim.faults("secondary").isNone()).isTrue();
  }

  @Test
  void aBlipHealsTheCloudItTookDownAfterTwelveSeconds() {
    Scenario.BLIP.inject(stage);
    assertThat(sim.faults("primary").down()).isTrue();

    assertThat(Scenario.BLIP.later()).singleElement().satisfies(c -> {
      assertThat(c.at()).isEqualTo(Duration.ofSeconds(12));
      c.action().accept(stage);
    });
    assertThat(sim.faults("primary").isNone()).isTrue();
  }

  @Test
  void aFlappingOutageAlternatesEveryThirtySecondsAndEndsHealed() {
    Scenario.FLAPPING_OUTAGE.inject(stage);
    assertThat(sim.faults("primary").errorRateOf(dev.tandem.sim.Operation.SUBMIT)).isEqualTo(1.0);

    List<Scenario.Change> later = Scenario.FLAPPING_OUTAGE.later();
    assertThat(later).extracting(c -> c.at().toSeconds()).containsExactly(30L, 60L, 90L, 120L, 150L, 180L, 210L,
        240L, 270L);
    boolean failing = true;
    for (Scenario.Change c : later) {
      c.action().accept(stage);
      failing = !failing;
      assertThat(sim.faults("primary").isNone()).as("at +%d s", c.at().toSeconds()).isEqualTo(!failing);
    }
    assertThat(sim.faults("primary").isNone()).as("healed at the end").isTrue();
  }

  @Test
  void anOutageOverTheRpoReportsTheStandbysLagBeyondIt() {
    Scenario.LAG_OVER_RPO.inject(stage);

    assertThat(sim.faults("primary").down()).isTrue();
    assertThat(sim.faults("secondary").replicationLagSeconds().getAsDouble()).isGreaterThan(60);
  }

  @Test
  void aVantageLostDuringAnOutageLosesTheVantageFirstAndTheCloudAMinuteLater() {
    Scenario.VANTAGE_LOST_DURING_OUTAGE.inject(stage);
    assertThat(sim.faults("primary").refuseVantages()).containsExactly("ext-1");
    assertThat(sim.faults("primary").errorRate()).isEmpty();

    Scenario.Change outage = Scenario.VANTAGE_LOST_DURING_OUTAGE.later().get(0);
    assertThat(outage.at()).isEqualTo(Duration.ofSeconds(60));
    outage.action().accept(stage);
    assertThat(sim.faults("primary").refuseVantages()).containsExactly("ext-1");
    assertThat(sim.faults("primary").errorRateOf(dev.tandem.sim.Operation.INVOICE)).isEqualTo(1.0);
  }

  @Test
  void theExistingScenariosInjectWhatTheyDidBefore() {
    Scenario.CLOUD_OUTAGE.inject(stage);
    assertThat(sim.faults("primary")).isEqualTo(CloudFaults.none().withDown(true));
    sim.clearFaults("primary");

    Scenario.PARTITIONED_OBSERVER.inject(stage);
    assertThat(sim.faults("primary").refuseVantages()).containsExactly("external-ext-1");
    assertThat(Scenario.TELEMETRY_PATH_LOSS.stopsActivePath()).isTrue();
    assertThat(Scenario.SILENT_PATH.stopsActivePath()).isTrue();
    assertThat(Scenario.CLOUD_OUTAGE.later()).isEmpty();
  }

  @Test
  void aShiftableClockMovesWithItsBaseAndShiftsEveryZoneView() {
    ShiftableClock clock = new ShiftableClock(Clock.fixed(T0, ZoneOffset.UTC));
    Clock berlin = clock.withZone(ZoneId.of("Europe/Berlin"));

    clock.shift(Duration.ofSeconds(-30));

    assertThat(clock.instant()).isEqualTo(T0.minusSeconds(30));
    assertThat(clock.millis()).isEqualTo(T0.minusSeconds(30).toEpochMilli());
    assertThat(berlin.instant()).isEqualTo(T0.minusSeconds(30));
    assertThat(berlin.getZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
  }
}
