package dev.tandem.engine.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.SliObservation;
import dev.tandem.engine.observation.TelemetryObservation;
import dev.tandem.engine.replay.VirtualClock;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SloEngineTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  private final VirtualClock clock = new VirtualClock(T0);

  private static SloSpec spanSlo(String name, SloWindow window, BudgetingMethod method, String target,
      String sliceTarget, Duration slice) {
    return new SloSpec(name, name, "orders", window, method, new BigDecimal(target),
        sliceTarget == null ? null : new BigDecimal(sliceTarget), slice,
        new Selector(Selector.Source.SPAN, Map.of(Selector.SERVICE, "order-service")), null, null);
  }

  private void spans(String cloud, long good, long total) {
    engine.accept(new TelemetryObservation(clock.instant(), "path-a", cloud, "order-service", "POST /orders",
        "span", good, total));
  }

  private SloEngine engine;

  /**
   * The engine watches for {@code d} without traffic: its burn windows are then covered, so burn
   * rates are the plain error ratio over the window divided by the budget.
   */
  private void watchedFor(Duration d) {
    clock.advance(d);
  }

  private SloStatus status(String slo, String cloud) {
    return engine.evaluate().stream().filter(s -> s.slo().equals(slo) && s.cloud().equals(cloud)).findFirst()
        .orElseThrow();
  }

  @Test
  void occurrencesBudgetIsExactPerCloud() {
    engine = new SloEngine(List.of(spanSlo("orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, "0.999", null, null)), List.of("primary", "secondary"), clock);
    watchedFor(Duration.ofHours(1));
    spans("primary", 9_995, 10_000);
    spans("secondary", 10_000, 10_000);
    SloStatus p = status("orders", "primary");
    assertThat(p.sli()).isCloseTo(0.9995, within(1e-12));
    assertThat(p.budgetRemaining()).isCloseTo(0.5, within(1e-9));
    assertThat(p.budgetRemainingEvents()).isCloseTo(5.0, within(1e-9));
    assertThat(p.burnRates().get("1h")).isCloseTo(0.5, within(1e-9));
    assertThat(p.firing()).isEmpty();
    assertThat(p.timeToExhaustion()).isEqualTo(Duration.ofDays(28));
    // Pyrra's exhaustion label: 28 days / 13.44 = 50 h; / 5.6 = 5 d; / 2.8 = 10 d; / 0.9333 = 30 d.
    assertThat(p.tiers()).extracting(SloStatus.TierState::exhaustion).containsExactly("50h", "5d", "10d", "30d");
    assertThat(status("orders", "secondary").budgetRemaining()).isEqualTo(1.0);
  }

  @Test
  void pageTierFiresOnFastBurnAndResolvesWhenTheShortWindowRecovers() {
    engine = new SloEngine(List.of(spanSlo("orders", SloWindow.rolling(Duration.ofDays(30)),
        BudgetingMethod.OCCURRENCES, "0.999", null, null)), List.of("primary"), clock);
    watchedFor(Duration.ofHours(1));
    List<SloAlertChange> changes = new ArrayList<>();
    engine.addListener(changes::add);
    for (int i = 0; i < 12; i++) {
      spans("primary", 9_500, 10_000);
      clock.advance(Duration.ofMinutes(1));
    }
    SloStatus burning = status("orders", "primary");
    assertThat(burning.burnRates().get("5m")).isCloseTo(50.0, within(1e-6));
    assertThat(burning.firing()).extracting(SloStatus.TierState::name).contains("page-fast", "page-slow");
    assertThat(changes).anyMatch(c -> c.tier().equals("page-fast") && c.firing() && c.severity().equals("page"));
    for (int i = 0; i < 10; i++) {
      spans("primary", 10_000, 10_000);
      clock.advance(Duration.ofMinutes(1));
    }
    SloStatus after = status("orders", "primary");
    assertThat(after.burnRates().get("5m")).isZero();
    assertThat(after.firing()).extracting(SloStatus.TierState::name).doesNotContain("page-fast");
    assertThat(changes).anyMatch(c -> c.tier().equals("page-fast") && !c.firing());
  }

  @Test
  void threeFailedProbesOfThreeFireButOneOfThreeDoesNot() {
    SloSpec probe = new SloSpec("journey", "journey", "orders", SloWindow.rolling(Duration.ofDays(30)),
        BudgetingMethod.OCCURRENCES, new BigDecimal("0.999"), null, null,
        new Selector(Selector.Source.PROBE, Map.of(Selector.JOURNEY, "order-to-invoice")), null, null);
    engine = new SloEngine(List.of(probe), List.of("primary"), clock);
    watchedFor(Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      engine.accept(new ProbeObservation(clock.instant(), "r" + i, "order-to-invoice", "submit", "primary", "ext-1",
          i != 0, 20, i != 0 ? null : "status 503"));
    }
    assertThat(status("journey", "primary").firing()).isEmpty();
    engine.accept(new ProbeObservation(clock.instant(), "r4", "order-to-invoice", "submit", "primary", "ext-1",
        false, 20, "status 503"));
    engine.accept(new ProbeObservation(clock.instant(), "r5", "order-to-invoice", "submit", "primary", "ext-1",
        false, 20, "status 503"));
    assertThat(status("journey", "primary").firing()).extracting(SloStatus.TierState::name).contains("page-fast");
  }

  @Test
  void timeslicesCountGoodSlices() {
    engine = new SloEngine(List.of(spanSlo("slices", SloWindow.rolling(Duration.ofDays(1)),
        BudgetingMethod.TIMESLICES, "0.9", "0.95", Duration.ofMinutes(1))), List.of("primary"), clock);
    // 10 one-minute slices: 8 good (99%), 2 bad (50%).
    for (int i = 0; i < 10; i++) {
      spans("primary", i < 8 ? 99 : 50, 100);
      clock.advance(Duration.ofMinutes(1));
    }
    SloStatus s = status("slices", "primary");
    assertThat(s.total()).isEqualTo(10);
    assertThat(s.good()).isEqualTo(8);
    assertThat(s.sli()).isCloseTo(0.8, within(1e-12));
    assertThat(s.budgetRemaining()).isCloseTo(-1.0, within(1e-9));
  }

  @Test
  void ratioTimeslicesAverageTheSlices() {
    engine = new SloEngine(List.of(spanSlo("ratio", SloWindow.rolling(Duration.ofDays(1)),
        BudgetingMethod.RATIO_TIMESLICES, "0.9", null, Duration.ofMinutes(1))), List.of("primary"), clock);
    spans("primary", 1, 1);         // slice ratio 1.0 from 1 event
    clock.advance(Duration.ofMinutes(1));
    spans("primary", 500, 1000);    // slice ratio 0.5 from 1000 events
    clock.advance(Duration.ofMinutes(1));
    SloStatus s = status("ratio", "primary");
    assertThat(s.sli()).isCloseTo(0.75, within(1e-6));
  }

  @Test
  void calendarWindowResetsAtThePeriodBoundary() {
    SloWindow month = SloWindow.calendar(1, ChronoUnit.MONTHS, LocalDateTime.parse("2022-01-01T00:00:00"),
        ZoneId.of("UTC"));
    engine = new SloEngine(List.of(spanSlo("monthly", month, BudgetingMethod.OCCURRENCES, "0.99", null, null)),
        List.of("primary"), clock);
    clock.set(Instant.parse("2026-11-30T23:00:00Z"));
    spans("primary", 90, 100);
    assertThat(status("monthly", "primary").total()).isEqualTo(100);
    clock.set(Instant.parse("2026-12-01T00:30:00Z"));
    spans("primary", 10, 10);
    SloStatus december = status("monthly", "primary");
    assertThat(december.total()).isEqualTo(10);
    assertThat(december.budgetRemaining()).isEqualTo(1.0);
    assertThat(december.window()).contains("calendar");
  }

  @Test
  void maintenanceEventsDoNotConsumeBudget() {
    engine = new SloEngine(List.of(spanSlo("orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, "0.999", null, null)), List.of("primary"), clock);
    engine.addMaintenance(new MaintenanceWindow("mw-1", "orders", "primary", T0, T0.plus(Duration.ofMinutes(10)),
        "database upgrade"));
    spans("primary", 0, 1000);
    clock.advance(Duration.ofMinutes(11));
    spans("primary", 1000, 1000);
    SloStatus s = status("orders", "primary");
    assertThat(s.total()).isEqualTo(1000);
    assertThat(s.budgetRemaining()).isEqualTo(1.0);
    assertThat(s.excluded()).isEqualTo(1);
  }

  @Test
  void snapshotRestoresBudgetsExactlyThroughJson() throws Exception {
    List<SloSpec> specs = List.of(spanSlo("orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, "0.999", null, null));
    engine = new SloEngine(specs, List.of("primary"), clock);
    for (int i = 0; i < 30; i++) {
      spans("primary", 990, 1000);
      clock.advance(Duration.ofMinutes(1));
    }
    SloStatus before = status("orders", "primary");
    ObjectMapper json = new ObjectMapper();
    String text = json.writeValueAsString(engine.snapshot());
    SloEngine restored = new SloEngine(specs, List.of("primary"), clock);
    @SuppressWarnings("unchecked")
    Map<String, Object> state = json.readValue(text, Map.class);
    assertThat(restored.restore(state)).isEqualTo(1);
    engine = restored;
    SloStatus after = status("orders", "primary");
    assertThat(after.total()).isEqualTo(before.total());
    assertThat(after.budgetRemaining()).isEqualTo(before.budgetRemaining());
    assertThat(after.burnRates()).isEqualTo(before.burnRates());
    assertThat(after.firing()).isEqualTo(before.firing());
  }

  @Test
  void precomputedSliSamplesCountForTheirSlo() {
    SloSpec sli = new SloSpec("inventory", "inventory", "inv", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, new BigDecimal("0.99"), null, null,
        new Selector(Selector.Source.SLI, Map.of()), null, null);
    engine = new SloEngine(List.of(sli), List.of("primary"), clock);
    engine.accept(new SliObservation(clock.instant(), "inventory", "primary", "path-a", 990, 1000));
    engine.accept(new SliObservation(clock.instant(), "other", "primary", "path-a", 0, 1000));
    engine.accept(new SliObservation(clock.instant(), "inventory", "mars", "path-a", 0, 1000));
    SloStatus s = status("inventory", "primary");
    assertThat(s.total()).isEqualTo(1000);
    assertThat(s.budgetRemaining()).isCloseTo(0.0, within(1e-9));
    assertThat(engine.foreignCloud()).isEqualTo(1);
  }

  @Test
  void histogramLatencySliCountsRequestsUnderTheThreshold() {
    SloSpec latency = new SloSpec("fast-orders", "fast", "orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, new BigDecimal("0.99"), null, null,
        new Selector(Selector.Source.HISTOGRAM, Map.of(Selector.SERVICE, "order-service")), 250.0, null);
    engine = new SloEngine(List.of(latency), List.of("primary"), clock);
    engine.accept(new TelemetryObservation(clock.instant(), "path-a", "primary", "order-service", "POST /orders",
        "histogram", 100, 100, dev.tandem.engine.observation.LatencyCounts.of(
            java.util.stream.LongStream.concat(java.util.stream.LongStream.range(0, 95).map(i -> 40),
                java.util.stream.LongStream.range(0, 5).map(i -> 900)).toArray())));
    engine.accept(new TelemetryObservation(clock.instant(), "path-a", "primary", "order-service", "POST /orders",
        "histogram", 10, 10));
    SloStatus s = status("fast-orders", "primary");
    assertThat(s.total()).isEqualTo(100);
    assertThat(s.good()).isEqualTo(95);
    assertThat(engine.withoutLatency()).isEqualTo(1);
  }

  @Test
  void heapPerSeriesIsBoundedAndStated() {
    engine = new SloEngine(List.of(spanSlo("orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, "0.999", null, null)), List.of("primary"), clock);
    long before = engine.heapBytes();
    for (int i = 0; i < 1000; i++) {
      spans("primary", 10, 10);
      clock.advance(Duration.ofSeconds(7));
    }
    assertThat(engine.heapBytes()).isEqualTo(before).isLessThan(16_384);
  }

  /**
   * Two engines see the same recent events (a 12-minute burn at 5%): one started just before,
   * one has watched an hour of good traffic. The budget they see spent is the same, so they fire
   * the same tiers at the same time; before coverage, the fresh one fired at once.
   */
  @Test
  void aFreshEngineAndAnOldOneAgreeOnTheSameRecentEvents() {
    List<SloSpec> specs = List.of(spanSlo("orders", SloWindow.rolling(Duration.ofDays(30)),
        BudgetingMethod.OCCURRENCES, "0.999", null, null));
    VirtualClock oldClock = new VirtualClock(T0.minus(Duration.ofHours(1)));
    SloEngine old = new SloEngine(specs, List.of("primary"), oldClock);
    for (int i = 0; i < 60; i++) {
      old.accept(new TelemetryObservation(oldClock.instant(), "path-a", "primary", "order-service", "POST /orders",
          "span", 1_000, 1_000));
      oldClock.advance(Duration.ofMinutes(1));
    }
    engine = new SloEngine(specs, List.of("primary"), clock);
    List<Boolean> freshFiring = new ArrayList<>();
    List<Boolean> oldFiring = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      spans("primary", 950, 1_000);
      old.accept(new TelemetryObservation(clock.instant(), "path-a", "primary", "order-service", "POST /orders",
          "span", 950, 1_000));
      freshFiring.add(!status("orders", "primary").firing().isEmpty());
      oldFiring.add(!old.evaluate().get(0).firing().isEmpty());
      clock.advance(Duration.ofMinutes(1));
      oldClock.set(clock.instant());
    }
    // 5% errors is a 50x burn: 2% of a 30-day budget (page-fast) is spent after about 17 minutes.
    assertThat(freshFiring.subList(0, 10)).containsOnly(false);
    assertThat(freshFiring.get(39)).isTrue();
    int freshFirst = freshFiring.indexOf(true);
    int oldFirst = oldFiring.indexOf(true);
    assertThat(freshFirst).isBetween(oldFirst - 1, oldFirst + 1);
    assertThat(status("orders", "primary").coverage()).isCloseTo(40.0 / (30 * 24 * 60), within(1e-6));
  }

  @Test
  void observationsStampedFarAheadAreRefusedAndCounted() {
    engine = new SloEngine(List.of(spanSlo("orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, "0.999", null, null)), List.of("primary"), clock);
    engine.accept(new TelemetryObservation(clock.instant().plusSeconds(120), "path-a", "primary", "order-service",
        "POST /orders", "span", 0, 100));
    engine.accept(new TelemetryObservation(clock.instant().plusSeconds(20), "path-a", "primary", "order-service",
        "POST /orders", "span", 100, 100));
    assertThat(engine.refusedAhead()).isEqualTo(1);
    assertThat(status("orders", "primary").total()).isEqualTo(100);
  }

  /** A sender whose clock runs ahead must not open a future time slice and make on-time events late. */
  @Test
  void aTimesliceIsOpenedByTheEnginesClockNotTheSenders() {
    engine = new SloEngine(List.of(spanSlo("slices", SloWindow.rolling(Duration.ofDays(1)),
        BudgetingMethod.TIMESLICES, "0.9", "0.95", Duration.ofMinutes(1))), List.of("primary"), clock);
    engine.accept(new TelemetryObservation(clock.instant().plusSeconds(25), "path-a", "primary", "order-service",
        "POST /orders", "span", 100, 100));
    engine.accept(new TelemetryObservation(clock.instant(), "path-a", "primary", "order-service", "POST /orders",
        "span", 100, 100));
    clock.advance(Duration.ofMinutes(2));
    SloStatus s = status("slices", "primary");
    assertThat(engine.late()).isZero();
    assertThat(s.total()).isEqualTo(1);
    assertThat(s.good()).isEqualTo(1);
  }

  @Test
  void aSeriesThatWentSilentIsNoDataAndFiresTheNoDataRuleOnce() {
    engine = new SloEngine(List.of(spanSlo("orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, "0.999", null, null)), List.of("primary", "secondary"), clock);
    List<SloAlertChange> changes = new ArrayList<>();
    engine.addListener(changes::add);
    spans("primary", 100, 100);
    assertThat(status("orders", "primary").noData()).isFalse();
    assertThat(status("orders", "secondary").noData()).as("never any data").isTrue();
    clock.advance(Duration.ofMinutes(11));
    SloStatus dark = status("orders", "primary");
    assertThat(dark.noData()).isTrue();
    assertThat(dark.silentFor(Duration.ofSeconds(30), clock.instant())).isTrue();
    status("orders", "primary");
    assertThat(changes).filteredOn(c -> c.tier().equals("no-data"))
        .singleElement().satisfies(c -> {
          assertThat(c.cloud()).isEqualTo("primary");
          assertThat(c.severity()).isEqualTo("ticket");
          assertThat(c.firing()).isTrue();
        });
    spans("primary", 100, 100);
    assertThat(status("orders", "primary").noData()).isFalse();
    assertThat(changes).filteredOn(c -> c.tier().equals("no-data") && !c.firing()).hasSize(1);
  }
}
