package dev.tandem.engine.paging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.budget.SloAlertChange;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.replay.VirtualClock;
import dev.tandem.engine.verdict.CloudAssessment;
import dev.tandem.engine.verdict.Evidence;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import dev.tandem.engine.verdict.ObserverIdentity;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PagingPolicyTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final String D = "order-platform";
  private static final String SLO = "inventory-api-availability";

  static EngineSpec spec() {
    return new EngineSpec(new ObserverIdentity("obs-test", "primary"), List.of("primary", "secondary"),
        List.of(new DomainSpec(D, "primary", "secondary", 60, "db.replication.lag", List.of("order-to-invoice"),
            List.of(SLO, "order-journey"))),
        List.of(new VantageSpec("ext-1", "third-party", "eu")), List.of(new PathSpec("path-a", "primary")),
        new EngineSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), 2, Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofSeconds(60)));
  }

  /** One input: a verdict (recommendation, primary, secondary as HEALTH/FAULT[/rule]), an SLO alert, or time passing. */
  interface Step {
    List<PageRecord> apply(PagingPolicy p, VirtualClock clock);
  }

  /** Time passes (the engine keeps evaluating with nothing new). */
  static Step after(long seconds) {
    return (p, clock) -> {
      clock.advance(Duration.ofSeconds(seconds));
      return p.evaluated();
    };
  }

  static Step verdict(Recommendation rec, String primary, String secondary) {
    return verdict(rec, "primary", primary, secondary);
  }

  static Step verdict(Recommendation rec, String active, String primary, String secondary) {
    return (p, clock) -> {
      List<PageRecord> out = new ArrayList<>(p.onVerdict(null, v(rec, active, primary, secondary)));
      out.addAll(p.evaluated());
      return out;
    };
  }

  static Verdict v(Recommendation rec, String active, String primary, String secondary) {
    Map<String, CloudAssessment> clouds = new LinkedHashMap<>();
    clouds.put("primary", assess(active.equals("primary"), primary));
    clouds.put("secondary", assess(active.equals("secondary"), secondary));
    return new Verdict(D, new ObserverIdentity("obs-test", "primary"), T0, T0.plusSeconds(30), rec, T0,
        rec + " because the test says so", clouds);
  }

  private static CloudAssessment assess(boolean active, String hf) {
    String[] p = hf.split("/");
    Fault fault = Fault.valueOf(p[1]);
    String rule = p.length > 2 ? p[2] : null;
    List<Evidence> ev = fault == Fault.VANTAGE
        ? List.of(new Evidence(Evidence.PROBE, "ext-1 fails more than the others",
            Map.of("signal", "vantage-blamed", "vantage", "ext-1", "cloud", active ? "primary" : "secondary")))
        : List.of(new Evidence(Evidence.PROBE, "ext-1 sees submit-order fail",
            Map.of("vantage", "ext-1", "step", "submit-order")));
    return active
        ? new CloudAssessment(CloudAssessment.ACTIVE, Health.valueOf(p[0]), fault, ev, null, null, null, rule, null, null)
        : new CloudAssessment(CloudAssessment.STANDBY, Health.valueOf(p[0]), fault, ev, true, 3.0, 60L, rule, null, null);
  }

  static Step alert(String cloud, String tier, boolean firing) {
    return alert(SLO, cloud, tier, firing);
  }

  static Step alert(String slo, String cloud, String tier, boolean firing) {
    String severity = tier.startsWith("page") ? "page" : "ticket";
    return (p, clock) -> {
      List<PageRecord> out = new ArrayList<>(p.onSloAlert(new SloAlertChange(T0, slo, cloud, tier, severity, firing,
          15.0, 16.0, 0.5)));
      out.addAll(p.evaluated());
      return out;
    };
  }

  private static final String OK = "HEALTHY/NONE";
  private static final String DOWN = "UNHEALTHY/CLOUD_WIDE";
  private static final String CW = "tandem/order-platform/primary/CLOUD_WIDE";
  private static final String SLOKEY = "tandem/order-platform/primary/COMPONENT";
  private static final String VANTAGE_KEY = "tandem/observability/vantage/ext-1";

  static Stream<Arguments> scenarios() {
    return Stream.of(
        Arguments.of("cloud outage: one critical trigger, then one resolve", List.of(
            verdict(Recommendation.STAY, OK, OK),
            verdict(Recommendation.STAY, "DEGRADED/CLOUD_WIDE", OK),
            verdict(Recommendation.FAILOVER, DOWN, OK),
            verdict(Recommendation.FAILOVER, DOWN, OK),
            verdict(Recommendation.STAY, OK, OK)), List.of(
            "SEND trigger critical SERVICE " + CW,
            "SEND resolve critical SERVICE " + CW)),
        Arguments.of("FAILOVER then HOLD is one incident", List.of(
            verdict(Recommendation.FAILOVER, DOWN, OK),
            verdict(Recommendation.HOLD, DOWN, "DEGRADED/COMPONENT")), List.of(
            "SEND trigger critical SERVICE " + CW)),
        Arguments.of("after the switch the old active stays one incident until it recovers", List.of(
            verdict(Recommendation.FAILOVER, DOWN, OK),
            verdict(Recommendation.STAY, "secondary", DOWN, OK),
            verdict(Recommendation.STAY, "secondary", OK, OK)), List.of(
            "SEND trigger critical SERVICE " + CW,
            "SEND resolve critical SERVICE " + CW)),
        Arguments.of("standby down cloud-wide pages error", List.of(
            verdict(Recommendation.STAY, OK, DOWN)), List.of(
            "SEND trigger error SERVICE tandem/order-platform/secondary/CLOUD_WIDE")),
        Arguments.of("shared dependency HOLD: one incident for the domain", List.of(
            verdict(Recommendation.HOLD, DOWN, DOWN)), List.of(
            "SEND trigger critical SERVICE " + CW)),
        Arguments.of("unknown is not recovery", List.of(
            verdict(Recommendation.FAILOVER, DOWN, OK),
            verdict(Recommendation.STAY, "UNKNOWN/NONE", OK)), List.of(
            "SEND trigger critical SERVICE " + CW)),
        Arguments.of("vantage fault warns observability, then resolves", List.of(
            verdict(Recommendation.STAY, "DEGRADED/VANTAGE", OK),
            verdict(Recommendation.STAY, OK, OK)), List.of(
            "SEND trigger warning OBSERVABILITY " + VANTAGE_KEY,
            "SEND resolve warning OBSERVABILITY " + VANTAGE_KEY)),
        Arguments.of("telemetry fault warns observability", List.of(
            verdict(Recommendation.STAY, "HEALTHY/TELEMETRY", OK)), List.of(
            "SEND trigger warning OBSERVABILITY tandem/observability/primary/TELEMETRY")),
        Arguments.of("component fault alone does not page", List.of(
            verdict(Recommendation.STAY, "DEGRADED/COMPONENT", OK)), List.of()),
        Arguments.of("component fault burning at a page tier pages error once", List.of(
            verdict(Recommendation.STAY, "DEGRADED/COMPONENT", OK),
            alert("primary", "page-fast", true),
            alert("primary", "page-slow", true),
            after(30),
            alert("primary", "page-fast", false),
            alert("primary", "page-slow", false)), List.of(
            "SEND trigger error SERVICE " + SLOKEY,
            "SEND resolve error SERVICE " + SLOKEY)),
        Arguments.of("an SLO page waits a hold-down before it is sent", List.of(
            verdict(Recommendation.STAY, "DEGRADED/COMPONENT", OK),
            alert("primary", "page-fast", true),
            after(29)), List.of()),
        Arguments.of("a burn judged COMPONENT in a brownout's first round, cloud-wide within the hold-down: one"
            + " critical page", List.of(
            verdict(Recommendation.STAY, "DEGRADED/COMPONENT", OK),
            alert("primary", "page-fast", true),
            after(10),
            verdict(Recommendation.STAY, "DEGRADED/CLOUD_WIDE", OK),
            after(20),
            verdict(Recommendation.FAILOVER, DOWN, OK),
            after(30)), List.of(
            "SUPPRESSED trigger error SERVICE " + SLOKEY,
            "SEND trigger critical SERVICE " + CW)),
        Arguments.of("ticket tier never pages", List.of(
            alert("primary", "ticket-slow", true)), List.of(
            "NOT_PAGED trigger info SERVICE tandem/slo/inventory-api-availability/primary/ticket")),
        Arguments.of("SLO page held back during a cloud-wide incident, sent when it resolves", List.of(
            verdict(Recommendation.FAILOVER, DOWN, OK),
            alert("primary", "page-fast", true),
            alert("primary", "page-slow", true),
            verdict(Recommendation.STAY, OK, OK),
            after(30)), List.of(
            "SEND trigger critical SERVICE " + CW,
            "SUPPRESSED trigger error SERVICE " + SLOKEY,
            "SEND resolve critical SERVICE " + CW,
            "SEND trigger error SERVICE " + SLOKEY)),
        Arguments.of("SLO page during the hold-down is held back; released if the outage is not confirmed", List.of(
            verdict(Recommendation.STAY, "DEGRADED/CLOUD_WIDE", OK),
            alert("primary", "page-fast", true),
            verdict(Recommendation.STAY, "DEGRADED/COMPONENT", OK),
            after(30)), List.of(
            "SUPPRESSED trigger error SERVICE " + SLOKEY,
            "SEND trigger error SERVICE " + SLOKEY)),
        Arguments.of("held-back page that clears is never sent", List.of(
            verdict(Recommendation.FAILOVER, DOWN, OK),
            alert("primary", "page-fast", true),
            alert("primary", "page-fast", false),
            verdict(Recommendation.STAY, OK, OK)), List.of(
            "SEND trigger critical SERVICE " + CW,
            "SUPPRESSED trigger error SERVICE " + SLOKEY,
            "SEND resolve critical SERVICE " + CW)),
        Arguments.of("the other cloud's SLO pages are not held back", List.of(
            verdict(Recommendation.FAILOVER, DOWN, OK),
            alert("secondary", "page-fast", true),
            after(30)), List.of(
            "SEND trigger critical SERVICE " + CW,
            "SEND trigger error SERVICE tandem/order-platform/secondary/COMPONENT")),
        Arguments.of("an SLO page open before the outage stays open, not re-triggered", List.of(
            alert("primary", "page-fast", true),
            after(30),
            verdict(Recommendation.FAILOVER, DOWN, OK),
            verdict(Recommendation.STAY, OK, OK)), List.of(
            "SEND trigger error SERVICE " + SLOKEY,
            "SEND trigger critical SERVICE " + CW,
            "SEND resolve critical SERVICE " + CW)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void pagesFollowTheRules(String name, List<Step> steps, List<String> expected) {
    assertThat(run(steps)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void sameInputsSameEvents(String name, List<Step> steps, List<String> expected) {
    assertThat(runFull(steps)).isEqualTo(runFull(steps));
  }

  /** The table above resolves at once ({@code paging.flapSeconds: 0}); the flap rule has its own table. */
  private static List<String> run(List<Step> steps) {
    return run(steps, Duration.ZERO);
  }

  private static List<String> run(List<Step> steps, Duration flap) {
    VirtualClock clock = new VirtualClock(T0);
    PagingPolicy p = PagingPolicy.create(spec(), clock, flap);
    List<String> out = new ArrayList<>();
    for (Step s : steps) {
      for (PageRecord r : s.apply(p, clock)) {
        PageEvent e = r.event();
        out.add(r.disposition() + " " + e.action().wire() + " " + e.severity().wire() + " " + e.routing() + " "
            + e.dedupKey());
      }
    }
    return out;
  }

  private static List<PageRecord> runFull(List<Step> steps) {
    VirtualClock clock = new VirtualClock(T0);
    PagingPolicy p = PagingPolicy.create(spec(), clock, Duration.ZERO);
    List<PageRecord> out = new ArrayList<>();
    steps.forEach(s -> out.addAll(s.apply(p, clock)));
    return out;
  }

  private static final String BROWNOUT = "DEGRADED/CLOUD_WIDE/brownout-below-threshold";

  static Stream<Arguments> flapScenarios() {
    return Stream.of(
        Arguments.of("an outage that clears and returns within the flap period is one incident", List.of(
            verdict(Recommendation.FAILOVER, DOWN, OK),
            verdict(Recommendation.STAY, OK, OK),
            after(120),
            verdict(Recommendation.FAILOVER, DOWN, OK),
            verdict(Recommendation.STAY, OK, OK),
            after(599),
            after(1)), List.of(
            "SEND trigger critical SERVICE " + CW,
            "SEND resolve critical SERVICE " + CW)),
        Arguments.of("a vantage fault that flickers is one warning", List.of(
            verdict(Recommendation.STAY, "HEALTHY/VANTAGE", OK),
            verdict(Recommendation.STAY, OK, OK),
            after(30),
            verdict(Recommendation.STAY, "HEALTHY/VANTAGE", OK),
            verdict(Recommendation.STAY, OK, OK),
            after(30),
            verdict(Recommendation.STAY, "HEALTHY/VANTAGE", OK)), List.of(
            "SEND trigger warning OBSERVABILITY " + VANTAGE_KEY)),
        Arguments.of("a vantage blamed for both clouds is one warning", List.of(
            verdict(Recommendation.STAY, "HEALTHY/VANTAGE", "HEALTHY/VANTAGE"),
            after(600)), List.of(
            "SEND trigger warning OBSERVABILITY " + VANTAGE_KEY)),
        Arguments.of("a brownout below the threshold pages the owner once it lasted a hold-down, and escalates"
            + " in place when it becomes an outage", List.of(
            verdict(Recommendation.STAY, BROWNOUT, OK),
            after(29),
            after(1),
            verdict(Recommendation.STAY, "DEGRADED/CLOUD_WIDE/cloud-wide", OK),
            verdict(Recommendation.FAILOVER, DOWN, OK)), List.of(
            "SEND trigger error SERVICE " + CW,
            "SEND trigger critical SERVICE " + CW)),
        Arguments.of("two SLOs of one domain burning are one incident", List.of(
            verdict(Recommendation.STAY, "DEGRADED/COMPONENT", OK),
            alert(SLO, "primary", "page-fast", true),
            alert("order-journey", "primary", "page-fast", true),
            after(30),
            alert(SLO, "primary", "page-fast", false),
            alert("order-journey", "primary", "page-fast", false),
            after(600)), List.of(
            "SEND trigger error SERVICE " + SLOKEY,
            "SEND resolve error SERVICE " + SLOKEY)),
        Arguments.of("a brownout that becomes an outage within the hold-down pages once, critical", List.of(
            verdict(Recommendation.STAY, BROWNOUT, OK),
            after(10),
            verdict(Recommendation.STAY, "DEGRADED/CLOUD_WIDE/cloud-wide", OK),
            after(20),
            verdict(Recommendation.FAILOVER, DOWN, OK)), List.of(
            "SEND trigger critical SERVICE " + CW)),
        Arguments.of("a confirming outage keeps a brownout incident open", List.of(
            verdict(Recommendation.STAY, BROWNOUT, OK),
            after(30),
            verdict(Recommendation.STAY, "DEGRADED/CLOUD_WIDE/cloud-wide", OK),
            after(900),
            verdict(Recommendation.STAY, OK, OK),
            after(600)), List.of(
            "SEND trigger error SERVICE " + CW,
            "SEND resolve error SERVICE " + CW)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("flapScenarios")
  void incidentsOutlastTheirFlaps(String name, List<Step> steps, List<String> expected) {
    assertThat(run(steps, PagingPolicy.DEFAULT_FLAP)).isEqualTo(expected);
  }

  @Test
  void aReturnWithinTheFlapPeriodIsCountedAsAFlap() {
    VirtualClock clock = new VirtualClock(T0);
    PagingPolicy p = PagingPolicy.create(spec(), clock, PagingPolicy.DEFAULT_FLAP);
    verdict(Recommendation.FAILOVER, DOWN, OK).apply(p, clock);
    verdict(Recommendation.STAY, OK, OK).apply(p, clock);
    after(60).apply(p, clock);
    verdict(Recommendation.FAILOVER, DOWN, OK).apply(p, clock);
    assertThat(p.flaps()).isEqualTo(1);
    assertThat(p.open()).extracting(OpenIncident::dedupKey).containsExactly(CW);
  }

  @Test
  void sloPageFiringInTheRoundThatFirstSuspectsAnOutageIsHeldBack() {
    PagingPolicy p = PagingPolicy.create(spec(), new VirtualClock(T0));
    assertThat(p.onSloAlert(new SloAlertChange(T0, SLO, "primary", "page-fast", "page", true, 40, 40, -3)))
        .as("decided at the end of the round").isEmpty();
    assertThat(p.onVerdict(null, v(Recommendation.STAY, "primary", "DEGRADED/CLOUD_WIDE", OK))).isEmpty();
    assertThat(p.evaluated()).extracting(PageRecord::disposition).containsExactly(PageRecord.Disposition.SUPPRESSED);
  }

  @Test
  void restoredIncidentIsNotTriggeredAgain() {
    PagingPolicy p = PagingPolicy.create(spec(), new VirtualClock(T0), Duration.ZERO);
    p.restore(List.of(new OpenIncident(CW, Routing.SERVICE, PageSeverity.CRITICAL)));
    assertThat(p.onVerdict(null, v(Recommendation.FAILOVER, "primary", DOWN, OK))).isEmpty();
    List<PageRecord> r = p.onVerdict(null, v(Recommendation.STAY, "primary", OK, OK));
    assertThat(r).extracting(x -> x.event().action() + " " + x.event().dedupKey())
        .containsExactly("RESOLVE " + CW);
  }

  @Test
  void triggerCarriesTheVerdictAndItsEvidence() {
    PagingPolicy p = PagingPolicy.create(spec(), new VirtualClock(T0));
    PageEvent e = p.onVerdict(null, v(Recommendation.FAILOVER, "primary", DOWN, OK)).get(0).event();
    assertThat(e.summary()).startsWith("FAILOVER order-platform: primary is down cloud-wide.");
    assertThat(e.timestamp()).isEqualTo(T0);
    assertThat(e.customDetails()).containsEntry("recommendation", "FAILOVER").containsEntry("fault", "CLOUD_WIDE")
        .containsKey("verdicts");
    assertThat(e.customDetails().get("evidence").toString()).contains("ext-1", "submit-order");
  }

  @Test
  void longSummaryIsCutTo1024() {
    PageEvent e = new PageEvent(PageAction.TRIGGER, Routing.SERVICE, "k", "x".repeat(5000), "s",
        PageSeverity.INFO, T0, null, null, null, Map.of());
    assertThat(e.summary()).hasSize(PageEvent.MAX_SUMMARY).endsWith("\u2026");
  }
}
