package dev.tandem.catalogue;

import static dev.tandem.engine.verdict.Recommendation.FAILOVER;
import static dev.tandem.engine.verdict.Recommendation.HOLD;
import static dev.tandem.engine.verdict.Recommendation.STAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.engine.verdict.Recommendation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every catalogue case through replay, once straight after a healthy lead-in and once after an
 * hour of healthy history: the recommendation sequence, the pages sent (routing, severity, key)
 * and the number of incidents, and the two runs must agree (a verdict depends on the recent
 * evidence, not on how long the observer has been up).
 */
class CatalogueReplayTest {
  private static final String CW = "tandem/order-platform/primary/CLOUD_WIDE";
  private static final String COMPONENT = "tandem/order-platform/primary/COMPONENT";

  /** What each case must do (seed 1). */
  record Expected(List<Recommendation> recommendations, List<String> triggers) {}

  private static final Map<GrayFailure, Expected> EXPECTED = new EnumMap<>(GrayFailure.class);

  static {
    expect(GrayFailure.CLOUD_OUTAGE, List.of(STAY, FAILOVER), "trigger critical SERVICE " + CW);
    expect(GrayFailure.CLOUD_OUTAGE_503, List.of(STAY, FAILOVER), "trigger critical SERVICE " + CW);
    // About 30% of runs fail: the owner is paged for the brownout, then the same incident escalates.
    expect(GrayFailure.BROWNOUT_10, List.of(STAY, FAILOVER), "trigger error SERVICE " + CW,
        "trigger critical SERVICE " + CW);
    expect(GrayFailure.BROWNOUT_35, List.of(STAY, FAILOVER), "trigger critical SERVICE " + CW);
    expect(GrayFailure.BROWNOUT_60, List.of(STAY, FAILOVER), "trigger critical SERVICE " + CW);
    expect(GrayFailure.COMPONENT_TWO_SLOS, List.of(STAY), "trigger error SERVICE " + COMPONENT);
    expect(GrayFailure.LOSSY_VANTAGE_20, List.of(STAY), "trigger warning OBSERVABILITY tandem/observability/vantage/ext-2");
    expect(GrayFailure.LOSSY_VANTAGE_50, List.of(STAY), "trigger warning OBSERVABILITY tandem/observability/vantage/ext-2");
    expect(GrayFailure.LATENCY_BROWNOUT, List.of(STAY), "trigger error SERVICE " + COMPONENT);
    expect(GrayFailure.SHARED_DEPENDENCY, List.of(STAY, HOLD), "trigger critical SERVICE " + CW);
    expect(GrayFailure.CLOCK_AHEAD, List.of(STAY), "trigger warning OBSERVABILITY tandem/observability/vantage/ext-2");
    expect(GrayFailure.BLIP, List.of(STAY));
    expect(GrayFailure.VANTAGE_LOST, List.of(STAY), "trigger warning OBSERVABILITY tandem/observability/vantage/ext-1");
    expect(GrayFailure.VANTAGE_LOST_DURING_OUTAGE, List.of(STAY, FAILOVER),
        "trigger warning OBSERVABILITY tandem/observability/vantage/ext-1", "trigger critical SERVICE " + CW);
    expect(GrayFailure.SILENT_PATH, List.of(STAY),
        "trigger warning OBSERVABILITY tandem/observability/primary/TELEMETRY");
    expect(GrayFailure.LAG_OVER_RPO, List.of(STAY, HOLD), "trigger critical SERVICE " + CW);
    expect(GrayFailure.FLAPPING_OUTAGE, List.of(STAY, FAILOVER), "trigger critical SERVICE " + CW);
    expect(GrayFailure.SLOW_BURN, List.of(STAY));
    expect(GrayFailure.RECOVERY, List.of(STAY, FAILOVER, STAY), "trigger critical SERVICE " + CW);
  }

  private static void expect(GrayFailure g, List<Recommendation> recs, String... triggers) {
    EXPECTED.put(g, new Expected(recs, List.of(triggers)));
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (GrayFailure g : GrayFailure.values()) {
      out.add(Arguments.of(g));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachCaseGivesItsRecommendationsAndPagesWhateverTheHistory(GrayFailure g) {
    Expected e = EXPECTED.get(g);
    assertThat(e).as("every case has an expectation").isNotNull();
    CatalogueRun.Outcome fresh = CatalogueRun.replay(g, Duration.ZERO, 1);
    CatalogueRun.Outcome aged = g == GrayFailure.SLOW_BURN ? fresh : CatalogueRun.replay(g, Duration.ofHours(1), 1);
    for (CatalogueRun.Outcome o : List.of(fresh, aged)) {
      assertThat(o.recommendations()).as("recommendations").isEqualTo(e.recommendations());
      assertThat(o.wrong()).as("recommendations the case does not allow").isEmpty();
      assertThat(o.triggers()).as("triggers").extracting(CatalogueRun.Page::toString)
          .isEqualTo(e.triggers());
      assertThat(o.incidentsByRouting().values()).as("incidents per routing key").allMatch(n -> n <= 1);
      if (g.observerSide()) {
        assertThat(o.ownerTriggers()).as("an observer-side fault never pages an owner").isEmpty();
      }
    }
    assertThat(aged.recommendations()).isEqualTo(fresh.recommendations());
    // The same recommendation at (nearly) the same moment: the judge's windows hold the same
    // evidence; an SLO's hour-long window holds a little more background noise after the history.
    List<Double> freshAt = firstTimes(fresh);
    List<Double> agedAt = firstTimes(aged);
    assertThat(agedAt).hasSameSizeAs(freshAt);
    for (int i = 0; i < freshAt.size(); i++) {
      assertThat(agedAt.get(i)).as("moment of recommendation %d", i).isCloseTo(freshAt.get(i), within(10.0));
    }
  }

  /** When each recommendation in the sequence began, from the fault's start. */
  private static List<Double> firstTimes(CatalogueRun.Outcome o) {
    List<Double> out = new ArrayList<>();
    Recommendation last = null;
    for (CatalogueRun.Change c : o.changes()) {
      if (c.recommendation() != last) {
        out.add(Math.max(0, c.seconds()));
        last = c.recommendation();
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = GrayFailure.class, names = {"CLOUD_OUTAGE", "CLOUD_OUTAGE_503", "BROWNOUT_60"})
  void aFullOutageOrAHardBrownoutFailsOverWithin35Seconds(GrayFailure g) {
    // Probes every 5 s, a 20 s hold-down: detection plus the hold-down within 35 s.
    assertThat(CatalogueRun.replay(g, Duration.ZERO, 1).firstSecondOf(FAILOVER)).isBetween(20.0, 35.0);
  }

  @org.junit.jupiter.api.Test
  void recoveryTakesTwoHoldDownsAndTheIncidentResolvesAfterTheFlapPeriod() {
    CatalogueRun.Outcome o = CatalogueRun.replay(GrayFailure.RECOVERY, Duration.ZERO, 1);
    double failover = o.firstSecondOf(FAILOVER);
    double back = o.changes().stream().filter(c -> c.recommendation() == STAY && c.seconds() > failover)
        .mapToDouble(CatalogueRun.Change::seconds).min().orElseThrow();
    assertThat(back - GrayFailure.RECOVERY.faultSeconds()).as("seconds of recovery before STAY").isGreaterThanOrEqualTo(40);
    assertThat(o.pages()).extracting(CatalogueRun.Page::toString)
        .containsExactly("trigger critical SERVICE " + CW, "resolve critical SERVICE " + CW);
    assertThat(o.pages().get(1).seconds() - back).as("resolved once clear for paging.flapSeconds")
        .isGreaterThanOrEqualTo(600);
  }

  @org.junit.jupiter.api.Test
  void aSlowBurnFiresATicketTierAndNeverAPageTier() {
    CatalogueRun.Outcome o = CatalogueRun.replay(GrayFailure.SLOW_BURN, Duration.ZERO, 1);
    assertThat(o.alerts()).anyMatch(a -> a.slo().equals(Fleet.ALLOCATION_SLO) && a.severity().equals("ticket")
        && a.tier().startsWith("ticket") && a.firing());
    assertThat(o.alerts()).noneMatch(a -> a.severity().equals("page") && a.firing());
    assertThat(o.pages()).isEmpty();
  }
}
