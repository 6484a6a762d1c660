package dev.tandem.engine.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.observation.TelemetryObservation;
import dev.tandem.engine.replay.VirtualClock;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import dev.tandem.engine.verdict.ObserverIdentity;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;

class VerdictEngineTest {
  private static final List<String> ORDER_STEPS =
      List.of("submit-order", "allocate", "pick-confirm", "ship-confirm", "invoice", "cleanup");
  private static final List<String> STOCK_STEPS = List.of("get-stock", "health");
  private static final List<String> VANTAGES = List.of("ext-1", "in-primary", "in-secondary");

  private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-26T10:00:00Z"));
  private final VerdictEngine engine = VerdictEngine.create(spec(), clock);
  private final List<Verdict> changes = new ArrayList<>();
  private double lag = 4.2;
  private Set<String> silentPaths = Set.of();

  VerdictEngineTest() {
    engine.addListener((prev, next) -> changes.add(next));
  }

  private static EngineSpec spec() {
    return new EngineSpec(new ObserverIdentity("obs-test", "primary"), List.of("primary", "secondary"),
        List.of(new DomainSpec("order-platform", "primary", "secondary", 60, "db.replication.lag",
            List.of("order-to-invoice", "stock-lookup"), List.of("orders", "inventory"))),
        List.of(new VantageSpec("ext-1", "third-party", "eu"), new VantageSpec("in-primary", "primary", ""),
            new VantageSpec("in-secondary", "secondary", "")),
        List.of(new PathSpec("path-a", "primary"), new PathSpec("path-b", "secondary")),
        new EngineSettings(Duration.ofSeconds(5), Duration.ofSeconds(30), 2, Duration.ofSeconds(30),
            Duration.ofSeconds(20), Duration.ofSeconds(60)));
  }

  /** One round of probes and telemetry; {@code fails(cloud, vantage/step)} says which steps fail. */
  private void round(BiPredicate<String, String> fails) {
    Instant now = clock.instant();
    for (String cloud : List.of("primary", "secondary")) {
      for (String vantage : VANTAGES) {
        if (cloud.equals("primary")) {
          runJourney(now, "order-to-invoice", ORDER_STEPS, cloud, vantage, fails);
        }
        runJourney(now, "stock-lookup", STOCK_STEPS, cloud, vantage, fails);
      }
    }
    for (String path : List.of("path-a", "path-b")) {
      if (!silentPaths.contains(path)) {
        engine.accept(new HeartbeatObservation(now, path, path.equals("path-a") ? "primary" : "secondary"));
      }
    }
    // Whichever cloud is standby reports its lag; after a switch that is the other one.
    engine.accept(new ReplicationObservation(now, "order-platform", "secondary", lag));
    engine.accept(new ReplicationObservation(now, "order-platform", "primary", lag));
  }

  private void runJourney(Instant now, String journey, List<String> steps, String cloud, String vantage,
      BiPredicate<String, String> fails) {
    boolean failed = false;
    for (String step : steps) {
      boolean always = step.equals("cleanup");
      if (failed && !always) {
        continue;
      }
      boolean bad = fails.test(cloud, vantage + "/" + step);
      engine.accept(new ProbeObservation(now, "run-1", journey, step, cloud, vantage, !bad, 40,
          bad ? "status 503, expected 2xx" : null));
      failed |= bad && !always;
    }
  }

  private Verdict playFor(Duration total, BiPredicate<String, String> fails) {
    Verdict last = null;
    for (long t = 0; t < total.toSeconds(); t += 5) {
      round(fails);
      last = engine.evaluate().get(0);
      clock.advance(Duration.ofSeconds(5));
    }
    return last;
  }

  private static final BiPredicate<String, String> NOTHING_FAILS = (c, s) -> false;

  @Test
  void healthyPlatformStaysWithReadyStandby() {
    Verdict v = playFor(Duration.ofSeconds(60), NOTHING_FAILS);
    assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    assertThat(v.clouds().get("primary").health()).isEqualTo(Health.HEALTHY);
    assertThat(v.clouds().get("primary").role()).isEqualTo("active");
    assertThat(v.clouds().get("secondary").ready()).isTrue();
    assertThat(v.clouds().get("secondary").notReady()).isEmpty();
    assertThat(v.clouds().get("secondary").replicationLagSeconds()).isEqualTo(4.2);
    assertThat(v.validUntil()).isEqualTo(v.generatedAt().plusSeconds(15));
  }

  @Test
  void cloudOutageFailsOverOnlyAfterHoldDown() {
    playFor(Duration.ofSeconds(60), NOTHING_FAILS);
    silentPaths = Set.of("path-a");
    BiPredicate<String, String> primaryDown = (cloud, s) -> cloud.equals("primary");
    Verdict early = playFor(Duration.ofSeconds(15), primaryDown);
    assertThat(early.recommendation()).isEqualTo(Recommendation.STAY);
    assertThat(early.clouds().get("primary").fault()).isEqualTo(Fault.CLOUD_WIDE);
    assertThat(early.clouds().get("primary").health()).isEqualTo(Health.DEGRADED);
    assertThat(early.reason()).contains("confirming");

    Verdict late = playFor(Duration.ofSeconds(40), primaryDown);
    assertThat(late.recommendation()).isEqualTo(Recommendation.FAILOVER);
    assertThat(late.clouds().get("primary").health()).isEqualTo(Health.UNHEALTHY);
    assertThat(late.clouds().get("primary").evidence()).anyMatch(e -> e.kind().equals("path"));
    assertThat(late.reason()).startsWith("Fail over to secondary");
    assertThat(changes).extracting(Verdict::recommendation)
        .containsSubsequence(Recommendation.STAY, Recommendation.FAILOVER);
  }

  @Test
  void vantageLossNeverFailsOver() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    Verdict v = playFor(Duration.ofSeconds(120), (cloud, s) -> s.startsWith("ext-1/"));
    assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    assertThat(v.clouds().get("primary").fault()).isEqualTo(Fault.VANTAGE);
    assertThat(v.clouds().get("primary").health()).isEqualTo(Health.HEALTHY);
    assertThat(changes).noneMatch(c -> c.recommendation() == Recommendation.FAILOVER);
  }

  @Test
  void silentPathWhileProbesPassIsTelemetryFaultNotOutage() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    silentPaths = Set.of("path-a");
    Verdict v = playFor(Duration.ofSeconds(120), NOTHING_FAILS);
    assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    assertThat(v.clouds().get("primary").fault()).isEqualTo(Fault.TELEMETRY);
    assertThat(v.clouds().get("primary").health()).isEqualTo(Health.HEALTHY);
    assertThat(v.reason()).contains("path-a");
  }

  @Test
  void oneFailingStepIsComponentFault() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    Verdict v = playFor(Duration.ofSeconds(120), (cloud, s) -> cloud.equals("primary") && s.endsWith("/allocate"));
    assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    assertThat(v.clouds().get("primary").fault()).isEqualTo(Fault.COMPONENT);
    assertThat(v.clouds().get("primary").health()).isEqualTo(Health.DEGRADED);
    assertThat(v.reason()).contains("order-to-invoice/allocate");
  }

  @Test
  void erroringServiceInTelemetryIsComponentFault() {
    playFor(Duration.ofSeconds(10), NOTHING_FAILS);
    engine.accept(new TelemetryObservation(clock.instant(), "path-a", "primary", "invoicing-service",
        "POST /orders/{id}/invoice", "span", 10, 40));
    Verdict v = engine.evaluate().get(0);
    assertThat(v.clouds().get("primary").fault()).isEqualTo(Fault.COMPONENT);
    assertThat(v.clouds().get("primary").evidence()).anyMatch(e -> e.kind().equals("sli"));
  }

  @Test
  void bothCloudsFailingHoldsAsSharedDependency() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    Verdict v = playFor(Duration.ofSeconds(60), (cloud, s) -> true);
    assertThat(v.recommendation()).isEqualTo(Recommendation.HOLD);
    assertThat(v.reason()).contains("shared dependency");
  }

  @Test
  void standbyLagOverRpoHoldsInsteadOfFailover() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    lag = 120;
    Verdict v = playFor(Duration.ofSeconds(60), (cloud, s) -> cloud.equals("primary"));
    assertThat(v.recommendation()).isEqualTo(Recommendation.HOLD);
    assertThat(v.clouds().get("secondary").ready()).isFalse();
    assertThat(v.clouds().get("secondary").notReady()).singleElement().asString().contains("over the RPO");
    assertThat(v.reason()).contains("over the RPO");
  }

  @Test
  void noEvidenceIsUnknownAndNeverFailover() {
    clock.advance(Duration.ofSeconds(60));
    Verdict v = engine.evaluate().get(0);
    assertThat(v.clouds().get("primary").health()).isEqualTo(Health.UNKNOWN);
    assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    assertThat(v.clouds().get("secondary").ready()).isFalse();
  }

  @Test
  void recoveryMustPersistBeforeHealthyAgain() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    playFor(Duration.ofSeconds(60), (cloud, s) -> cloud.equals("primary"));
    // Recovery starts with the first passing round and must last two 30 s hold-downs.
    Verdict soon = playFor(Duration.ofSeconds(45), NOTHING_FAILS);
    assertThat(soon.clouds().get("primary").health()).isEqualTo(Health.UNHEALTHY);
    assertThat(soon.recommendation()).isEqualTo(Recommendation.FAILOVER);
    assertThat(soon.reason()).contains("counts as recovered only after working for 60 s");
    Verdict later = playFor(Duration.ofSeconds(25), NOTHING_FAILS);
    assertThat(later.clouds().get("primary").health()).isEqualTo(Health.HEALTHY);
    assertThat(later.recommendation()).isEqualTo(Recommendation.STAY);
  }

  @Test
  void noSwitchBackDuringTheAntiFlapPeriod() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    playFor(Duration.ofSeconds(60), (cloud, s) -> cloud.equals("primary"));
    assertThat(engine.current("order-platform").orElseThrow().recommendation()).isEqualTo(Recommendation.FAILOVER);
    engine.reportActive("order-platform", "secondary");
    // The new active fails too while the old one has recovered: within 5 minutes, no switch back.
    Verdict v = playFor(Duration.ofSeconds(90), (cloud, s) -> cloud.equals("secondary"));
    assertThat(v.clouds().get("secondary").role()).isEqualTo("active");
    assertThat(v.clouds().get("secondary").health()).isEqualTo(Health.UNHEALTHY);
    assertThat(v.recommendation()).isEqualTo(Recommendation.HOLD);
    assertThat(v.reason()).contains("anti-flap");
    // After the anti-flap period, the same evidence recommends the switch back.
    Verdict later = playFor(Duration.ofSeconds(240), (cloud, s) -> cloud.equals("secondary"));
    assertThat(later.recommendation()).isEqualTo(Recommendation.FAILOVER);
    assertThat(later.reason()).startsWith("Fail over to primary");
  }

  @Test
  void oneBrokenStepUnderTwoBurningSlosStaysAComponentFault() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    // Two SLOs burn at a paging rate, and every order run fails, but only at one step: concentrated.
    engine.setSloSignals((cloud, slos) -> cloud.equals("primary") ? List.of("orders", "inventory") : List.of());
    Verdict v = playFor(Duration.ofSeconds(120), (cloud, s) -> cloud.equals("primary") && s.endsWith("/invoice"));
    assertThat(v.clouds().get("primary").fault()).isEqualTo(Fault.COMPONENT);
    assertThat(v.clouds().get("primary").rule()).isEqualTo("component");
    assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    assertThat(changes).noneMatch(c -> c.recommendation() != Recommendation.STAY);
    assertThat(v.clouds().get("primary").evidence()).anySatisfy(e ->
        assertThat(e.fields()).containsEntry("signal", "step-failure-rate").containsEntry("step", "invoice"));
  }

  @Test
  void aBrownoutSpreadOverEveryStepFailsOverAfterTheHoldDown() {
    playFor(Duration.ofSeconds(60), NOTHING_FAILS);
    // Every step fails one attempt in three, from every vantage: spread, and most runs fail.
    java.util.Random dice = new java.util.Random(7);
    Verdict v = playFor(Duration.ofSeconds(90), (cloud, s) -> cloud.equals("primary") && dice.nextDouble() < 0.35);
    assertThat(v.clouds().get("primary").rule()).isEqualTo("cloud-wide");
    assertThat(v.recommendation()).isEqualTo(Recommendation.FAILOVER);
  }

  @Test
  void oneBurningSloIsAComponentFault() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    engine.setSloSignals((cloud, slos) -> cloud.equals("primary") ? List.of("inventory") : List.of());
    Verdict v = playFor(Duration.ofSeconds(60), NOTHING_FAILS);
    assertThat(v.clouds().get("primary").fault()).isEqualTo(Fault.COMPONENT);
    assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    assertThat(v.reason()).contains("SLO inventory");
  }

  @Test
  void vantageLostDuringARealOutageStillFailsOverOnTheRemainingQuorum() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    // ext-1 is cut off from both clouds (no results at all from it), and the primary fails.
    BiPredicate<String, String> primaryDown = (cloud, s) -> cloud.equals("primary");
    Verdict v = null;
    for (int t = 0; t < 60; t += 5) {
      Instant now = clock.instant();
      for (String vantage : List.of("in-primary", "in-secondary")) {
        runJourney(now, "order-to-invoice", ORDER_STEPS, "primary", vantage, primaryDown);
        runJourney(now, "stock-lookup", STOCK_STEPS, "primary", vantage, primaryDown);
        runJourney(now, "stock-lookup", STOCK_STEPS, "secondary", vantage, primaryDown);
      }
      engine.accept(new HeartbeatObservation(now, "path-b", "secondary"));
      engine.accept(new ReplicationObservation(now, "order-platform", "secondary", lag));
      v = engine.evaluate().get(0);
      clock.advance(Duration.ofSeconds(5));
    }
    assertThat(v.recommendation()).isEqualTo(Recommendation.FAILOVER);
    assertThat(v.clouds().get("primary").evidence()).anySatisfy(e -> {
      assertThat(e.fields()).containsEntry("signal", "cloud-wide").containsEntry("independentFailing", 2);
      assertThat(e.fields().get("failingVantages").toString()).contains("in-primary", "in-secondary")
          .doesNotContain("ext-1");
    });
    assertThat(v.clouds().get("primary").rule()).isEqualTo("cloud-wide");
  }

  @Test
  void bothPathsSilentAndNoProbesIsUnknownNeverFailover() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    clock.advance(Duration.ofSeconds(90));
    Verdict v = engine.evaluate().get(0);
    assertThat(v.clouds().get("primary").health()).isEqualTo(Health.UNKNOWN);
    assertThat(v.clouds().get("secondary").health()).isEqualTo(Health.UNKNOWN);
    assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    assertThat(v.reason()).contains("unknown never leads to a failover");
  }

  @Test
  void anOutageFlappingThirtySecondsOnAndOffDoesNotFlipFlop() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    changes.clear();
    for (int cycle = 0; cycle < 4; cycle++) {
      playFor(Duration.ofSeconds(30), (cloud, s) -> cloud.equals("primary"));
      playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    }
    // A 30 s recovery does not restart the hold-down, and leaving needs 60 s of recovery: the
    // flapping cloud is confirmed once and then stays UNHEALTHY instead of flip-flopping.
    List<Recommendation> recs = changes.stream().map(Verdict::recommendation).distinct().toList();
    long failoverChanges = changes.stream().filter(v -> v.recommendation() == Recommendation.FAILOVER).count();
    long flips = 0;
    for (int i = 1; i < changes.size(); i++) {
      if (changes.get(i).recommendation() != changes.get(i - 1).recommendation()) {
        flips++;
      }
    }
    assertThat(flips).as("recommendation flips over four 60 s cycles: %s", recs).isLessThanOrEqualTo(2);
    assertThat(failoverChanges).isPositive();
  }

  @Test
  void reportedSwitchSwapsRoles() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    engine.reportActive("order-platform", "secondary");
    Verdict v = engine.evaluate().get(0);
    assertThat(v.clouds().get("secondary").role()).isEqualTo("active");
    assertThat(v.clouds().get("primary").role()).isEqualTo("standby");
    assertThat(Map.copyOf(v.clouds())).containsKeys("primary", "secondary");
  }

  /**
   * A restarted process restores a switch back to the configuration's own active cloud: the
   * anti-flap period still counts from the remembered switch, not from the restart.
   */
  @Test
  void aRestoredSwitchKeepsItsAntiFlapPeriodEvenBackToTheConfiguredActive() {
    Instant switchedBack = clock.instant().minusSeconds(60);
    engine.restoreActive("order-platform", "primary", switchedBack);
    assertThat(engine.switchedAt("order-platform")).contains(switchedBack);
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    Verdict v = playFor(Duration.ofSeconds(90), (cloud, s) -> cloud.equals("primary"));
    assertThat(v.recommendation()).isEqualTo(Recommendation.HOLD);
    assertThat(v.reason()).contains("anti-flap");
  }

  @Test
  void reportingTheActiveCloudAgainIsNoSwitch() {
    assertThat(engine.reportActive("order-platform", "primary", clock.instant())).isFalse();
    assertThat(engine.switchedAt("order-platform")).isEmpty();
    assertThat(engine.reportActive("order-platform", "secondary", clock.instant())).isTrue();
    assertThat(engine.reportActive("order-platform", "secondary", clock.instant().plusSeconds(5))).isFalse();
    assertThat(engine.switchedAt("order-platform")).contains(clock.instant());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.reportActive("order-platform", "moon", clock.instant()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("moon");
  }

  @Test
  void aVantageWhoseClockRunsAheadIsRefusedCountedAndBlamed() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    Verdict v = null;
    for (int t = 0; t < 60; t += 5) {
      Instant now = clock.instant();
      engine.accept(new ProbeObservation(now.plusSeconds(120), "skewed-" + t, "stock-lookup", "get-stock", "primary",
          "ext-1", true, 40, null));
      round((cloud, s) -> false);
      v = engine.evaluate().get(0);
      clock.advance(Duration.ofSeconds(5));
    }
    assertThat(engine.refusedAhead()).containsEntry("vantage ext-1", 12L);
    assertThat(v.recommendation()).isEqualTo(Recommendation.STAY);
    assertThat(v.clouds().get("primary").fault()).isEqualTo(Fault.VANTAGE);
    assertThat(v.clouds().get("primary").evidence()).anySatisfy(e -> assertThat(e.fields())
        .containsEntry("signal", "clock-skew").containsEntry("vantage", "ext-1").containsEntry("aheadSeconds", 120L));
  }

  @Test
  void aResultStampedAheadWithinTheBoundCountsAsNowAndFreezesNothing() {
    playFor(Duration.ofSeconds(30), NOTHING_FAILS);
    Instant now = clock.instant();
    // 20 s ahead (the bound is 30 s): counted now; the results after it still count.
    engine.accept(new ProbeObservation(now.plusSeconds(20), "ahead", "stock-lookup", "get-stock", "primary", "ext-1",
        false, 40, "status 503"));
    Verdict v = playFor(Duration.ofSeconds(60), (cloud, s) -> cloud.equals("primary") && s.startsWith("ext-1/"));
    assertThat(engine.refusedAhead()).isEmpty();
    assertThat(engine.lateProbeResults()).isZero();
    // ext-1 kept failing after the stamped-ahead result: its failures were counted, not frozen, and
    // they are enough to blame it.
    assertThat(v.clouds().get("primary").evidence()).anySatisfy(e -> {
      assertThat(e.fields()).containsEntry("signal", "vantage-blamed").containsEntry("vantage", "ext-1");
      assertThat((Long) e.fields().get("failed")).isGreaterThanOrEqualTo(24);
    });
  }
}
