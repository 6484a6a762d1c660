package dev.tandem.bench.catalogue;

import dev.tandem.bench.demo.DemoConfig;
import dev.tandem.catalogue.CatalogueRun;
import dev.tandem.catalogue.GrayFailure;
import dev.tandem.controller.Decision;
import dev.tandem.engine.verdict.CloudAssessment;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.TandemNode;
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

/**
 * One catalogue case played live through the demo's loop ({@link LoopDemo}: the simulator and its
 * traffic manager, three observers with their own vantages and paths, the failover controller),
 * from fresh state, with the demo's timings (probes every 5 s, tick 5 s, hold-down 20 s) and
 * obs-primary paging a local Events v2 stand-in (the other two observers do not page, as in the
 * demo). Waits for a healthy baseline, plays the scenario, watches it, and reads every observer's
 * verdict changes, the pages and the controller's switches as catalogue outcomes.
 */
final class LivePlay {
  static final String SERVICE_KEY = "benchservicekey00000000000000001";
  static final String OBSERVABILITY_KEY = "benchobservabilitykey00000000002";
  private static final String DOMAIN = "order-platform";
  private static final Duration BASELINE_LIMIT = Duration.ofSeconds(120);
  /** After a switch, how long the verdicts are still watched (the roles swap, nothing must switch back). */
  private static final Duration AFTER_SWITCH = Duration.ofSeconds(45);

  /** A case as played live: its scenario, how long it is watched, and whether a switch may end it early. */
  record LiveCase(GrayFailure failure, Scenario scenario, int watchSeconds, boolean endsAfterSwitch) {}

  /**
   * What one live play gave.
   *
   * @param observers per observer, in {@link LoopDemo#OBSERVERS} order, its outcome (pages only
   *     for obs-primary, the one that pages), times from the fault's start
   * @param firstFailover seconds from the fault to the first observer's FAILOVER; -1 if none
   * @param quorumFailover seconds to the second observer's FAILOVER (the controller's quorum); -1 if none
   * @param switchAt seconds to the controller's first switch; -1 if none
   */
  record Result(LiveCase c, boolean baseline, String why, List<CatalogueRun.Outcome> observers, double firstFailover,
      double quorumFailover, double switchAt, int switches, List<String> pagerViolations, Path stateDir,
      double loadBefore, double loadAfter) {
    CatalogueRun.Outcome paging() {
      return observers.get(0);
    }
  }

  private record Seen(Instant at, Verdict verdict) {}

  private LivePlay() {}

  static Result play(LiveCase c, Path dir, Clock clock) throws Exception {
    double loadBefore = Machine.load();
    Vertx vertx = Vertx.vertx();
    EventsV2StandIn pager = new EventsV2StandIn(clock, Map.of(SERVICE_KEY, "SERVICE",
        OBSERVABILITY_KEY, "OBSERVABILITY")).start(vertx);
    LoopDemo demo = null;
    try {
      Validation.Result valid = config(c, dir, pager.url());
      TandemConfig cfg = valid.config().orElseThrow().withEphemeralPorts();
      demo = LoopDemo.start(vertx, cfg, valid.journeys(), valid.sloSpecs(), clock,
          Map.of("primary", 0, "secondary", 0)).toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
      List<List<Seen>> seen = new ArrayList<>();
      for (TandemNode n : demo.observers()) {
        List<Seen> mine = new CopyOnWriteArrayList<>();
        seen.add(mine);
        n.engine().addListener((prev, next) -> {
          if (next.domain().equals(DOMAIN)) {
            mine.add(new Seen(next.generatedAt(), next));
          }
        });
      }
      List<Decision> decisions = new CopyOnWriteArrayList<>();
      demo.onDecision(decisions::add);

      if (!awaitBaseline(demo, clock)) {
        return new Result(c, false, "no healthy baseline within " + BASELINE_LIMIT.toSeconds() + " s", List.of(), -1,
            -1, -1, 0, pager.violations(), dir, loadBefore, Machine.load());
      }
      demo.play(c.scenario(), Duration.ZERO);
      Instant limit = clock.instant().plusSeconds(10);
      while (demo.faultAt().isEmpty() && clock.instant().isBefore(limit)) {
        Thread.sleep(50);
      }
      Instant fault = demo.faultAt().orElseThrow(() -> new IllegalStateException("the fault was never injected"));
      Instant end = fault.plusSeconds(c.watchSeconds());
      // A benchmark's bounded watch, not a test: the case runs for its time, or ends once the
      // switch has been made and watched for a while.
      while (clock.instant().isBefore(end)) {
        Optional<Instant> switched = firstSwitch(decisions);
        if (c.endsAfterSwitch() && switched.isPresent() && clock.instant().isAfter(switched.get().plus(AFTER_SWITCH))) {
          break;
        }
        Thread.sleep(500);
      }

      List<CatalogueRun.Outcome> outcomes = new ArrayList<>();
      List<Double> firstFailovers = new ArrayList<>();
      for (int i = 0; i < seen.size(); i++) {
        List<CatalogueRun.Change> changes = new ArrayList<>();
        double first = -1;
        for (Seen s : seen.get(i)) {
          Verdict v = s.verdict();
          double at = seconds(fault, s.at());
          Optional<CloudAssessment> active = v.clouds().values().stream()
              .filter(a -> a.role().equals(CloudAssessment.ACTIVE)).findFirst();
          changes.add(new CatalogueRun.Change(at, v.recommendation(), v.state().name(),
              active.map(a -> a.fault().name()).orElse(Fault.NONE.name()),
              active.map(a -> a.rule() == null ? "" : a.rule()).orElse("")));
          if (first < 0 && at >= 0 && v.recommendation() == Recommendation.FAILOVER) {
            first = at;
          }
        }
        if (first >= 0) {
          firstFailovers.add(first);
        }
        List<CatalogueRun.Page> pages = new ArrayList<>();
        if (i == 0) {
          for (EventsV2StandIn.Event e : pager.events()) {
            pages.add(new CatalogueRun.Page(seconds(fault, e.at()), e.action(), e.severity(), e.routing(), e.dedupKey()));
          }
        }
        outcomes.add(new CatalogueRun.Outcome(c.failure(), changes, pages, List.of(), 0));
      }
      firstFailovers.sort(Double::compare);
      Optional<Instant> switched = firstSwitch(decisions);
      int switches = (int) decisions.stream().filter(d -> d.outcome() == Decision.Outcome.SWITCHED).count();
      return new Result(c, true, "", outcomes, firstFailovers.isEmpty() ? -1 : firstFailovers.get(0),
          firstFailovers.size() < 2 ? -1 : firstFailovers.get(1), switched.map(t -> seconds(fault, t)).orElse(-1.0),
          switches, pager.violations(), dir, loadBefore, Machine.load());
    } finally {
      if (demo != null) {
        demo.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      pager.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** The demo's config in {@code dir}, paging the stand-in; the latency case gets a latency SLO. */
  private static Validation.Result config(LiveCase c, Path dir, String pagerUrl) throws Exception {
    boolean latency = c.failure() == GrayFailure.LATENCY_BROWNOUT;
    Path latencySlo = dir.resolve("order-journey-latency.yaml");
    if (latency) {
      Files.writeString(latencySlo, LATENCY_SLO);
    }
    return DemoConfig.copy(dir, yaml -> {
      String out = yaml;
      if (latency) {
        out = out.replaceFirst("slos: \\[\"([^\"]+)\"\\]", "slos: [\"$1\", \"" + latencySlo + "\"]")
            .replace("order-journey-availability]", "order-journey-availability, order-journey-latency]");
      }
      return out + "paging:\n  pagerduty: {url: \"" + pagerUrl + "\", routingKey: \"" + SERVICE_KEY
          + "\", observabilityRoutingKey: \"" + OBSERVABILITY_KEY + "\"}\n";
    });
  }

  /** Every observer recommends STAY on a healthy active cloud with a ready standby. */
  private static boolean awaitBaseline(LoopDemo demo, Clock clock) throws InterruptedException {
    Instant limit = clock.instant().plus(BASELINE_LIMIT);
    while (clock.instant().isBefore(limit)) {
      boolean healthy = true;
      for (TandemNode n : demo.observers()) {
        Optional<Verdict> v = n.engine().current(DOMAIN);
        healthy &= v.isPresent() && v.get().recommendation() == Recommendation.STAY
            && v.get().clouds().get("primary").fault() == Fault.NONE
            && Boolean.TRUE.equals(v.get().clouds().get("secondary").ready());
      }
      if (healthy) {
        return true;
      }
      Thread.sleep(250);
    }
    return false;
  }

  private static Optional<Instant> firstSwitch(List<Decision> decisions) {
    return decisions.stream().filter(d -> d.outcome() == Decision.Outcome.SWITCHED).map(Decision::at).findFirst();
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  /** The catalogue's latency SLO (Fleet.LATENCY_SLO) as an OpenSLO file: order-journey steps within 500 ms. */
  private static final String LATENCY_SLO = """
      apiVersion: openslo/v1
      kind: SLO
      metadata:
        name: order-journey-latency
        displayName: Order-to-invoice journey latency
      spec:
        description: Every step of the order-to-invoice journey passes within 500 ms, from every vantage.
        service: order-platform
        indicator:
          metadata:
            name: order-journey-steps-fast
          spec:
            thresholdMetric:
              metricSource:
                type: tandem
                spec: {source: probe, journey: order-to-invoice}
        timeWindow:
          - duration: 28d
            isRolling: true
        budgetingMethod: Occurrences
        objectives:
          - displayName: Steps within 500 ms
            op: lt
            value: 500
            target: 0.99
      """;
}
