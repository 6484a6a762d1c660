package dev.tandem.engine.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.ObservationCodec;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import dev.tandem.engine.verdict.ObserverIdentity;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scenario catalogue through replay: each scenario is an observation log (probes every 10 s
 * from three vantages against both clouds, heartbeats, the standby's lag) with a fault in it; the
 * verdict sequence, the pages sent and not sent, and the timings are asserted.
 */
class ScenarioCatalogueTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final List<String> VANTAGES = List.of("ext-1", "in-primary", "in-secondary");
  private static final List<String> ORDER = List.of("submit-order", "allocate", "invoice");
  private static final List<String> STOCK = List.of("inventory-lookup");
  private final ObservationCodec codec = new ObservationCodec();
  private final ObjectMapper json = new ObjectMapper();

  /** What goes wrong in one round (10 s of virtual time). */
  interface Fault {
    boolean fails(int round, String cloud, String vantage, String step);
  }

  /** Optional changes per round: silent paths, lag. */
  interface World {
    boolean pathSilent(int round, String path);

    double lag(int round);
  }

  private static final World CALM = new World() {
    @Override
    public boolean pathSilent(int round, String path) {
      return false;
    }

    @Override
    public double lag(int round) {
      return 3.0;
    }
  };

  private static EngineSpec spec() {
    return new EngineSpec(new ObserverIdentity("obs-catalogue", "outside"), List.of("primary", "secondary"),
        List.of(new DomainSpec("order-platform", "primary", "secondary", 60, "db.replication.lag",
            List.of("order-to-invoice", "stock-lookup"), List.of("order-journey", "stock-journey"))),
        List.of(new VantageSpec("ext-1", "third-party", "eu"), new VantageSpec("in-primary", "primary", "eu-west"),
            new VantageSpec("in-secondary", "secondary", "eu-central")),
        List.of(new PathSpec("path-a", "primary"), new PathSpec("path-b", "secondary")),
        new EngineSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), 2, Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofSeconds(60)));
  }

  private static List<SloSpec> slos() {
    return List.of(new SloSpec("order-journey", "order journey", "orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, new BigDecimal("0.999"), null, null,
        new Selector(Selector.Source.PROBE, Map.of(Selector.JOURNEY, "order-to-invoice")), null, null),
        new SloSpec("stock-journey", "stock journey", "inventory", SloWindow.rolling(Duration.ofDays(28)),
            BudgetingMethod.OCCURRENCES, new BigDecimal("0.999"), null, null,
            new Selector(Selector.Source.PROBE, Map.of(Selector.JOURNEY, "stock-lookup")), null, null));
  }

  private String log(int rounds, Fault fault, World world) {
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < rounds; r++) {
      Instant t = T0.plusSeconds(10L * r + 1);
      for (String cloud : List.of("primary", "secondary")) {
        for (String v : VANTAGES) {
          if (cloud.equals("primary")) {
            journey(out, t, r, "order-to-invoice", ORDER, cloud, v, fault);
          }
          journey(out, t, r, "stock-lookup", STOCK, cloud, v, fault);
        }
      }
      for (String path : List.of("path-a", "path-b")) {
        if (!world.pathSilent(r, path)) {
          out.append(codec.encode(new HeartbeatObservation(t, path, path.equals("path-a") ? "primary" : "secondary")))
              .append('\n');
        }
      }
      out.append(codec.encode(new ReplicationObservation(t, "order-platform", "secondary", world.lag(r)))).append('\n');
    }
    return out.toString();
  }

  private void journey(StringBuilder out, Instant t, int r, String journey, List<String> steps, String cloud,
      String vantage, Fault fault) {
    for (String step : steps) {
      boolean bad = fault.fails(r, cloud, vantage, step);
      out.append(codec.encode(new ProbeObservation(t, "r" + r + "-" + journey + "-" + cloud + "-" + vantage, journey,
          step, cloud, vantage, !bad, 40, bad ? "status 503" : null))).append('\n');
      if (bad) {
        return;
      }
    }
  }

  /** What a replay produced: recommendation changes with their second, and page events. */
  record Outcome(List<String> recommendations, List<Long> atSeconds, List<String> pages, List<String> sloAlerts) {
    long firstSecondOf(String recommendation) {
      int i = recommendations.indexOf(recommendation);
      return i < 0 ? -1 : atSeconds.get(i);
    }
  }

  private Outcome replay(String log) throws Exception {
    StringWriter out = new StringWriter();
    new Replay(spec(), slos()).run(new BufferedReader(new StringReader(log)), out, n -> { });
    List<String> recs = new ArrayList<>();
    List<Long> at = new ArrayList<>();
    List<String> pages = new ArrayList<>();
    List<String> alerts = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = json.readTree(line);
      String type = n.get("type").asText();
      if (type.equals("verdict")) {
        String rec = n.at("/verdict/recommendation").asText();
        if (recs.isEmpty() || !recs.get(recs.size() - 1).equals(rec)) {
          recs.add(rec);
          at.add(Duration.between(T0, Instant.parse(n.get("ts").asText())).toSeconds());
        }
      } else if (type.equals("page")) {
        JsonNode e = n.get("event");
        pages.add(e.get("event_action").asText() + " " + e.at("/payload/severity").asText() + " "
            + e.get("routing_key").asText() + " " + e.get("dedup_key").asText());
      } else if (type.equals("slo-alert")) {
        alerts.add(n.get("tier").asText() + ":" + n.get("firing").asBoolean());
      }
    }
    return new Outcome(recs, at, pages, alerts);
  }

  private static Fault from(int round, Fault f) {
    return (r, c, v, s) -> r >= round && f.fails(r, c, v, s);
  }

  @Test
  void fullOutageOfTheActiveCloudFailsOverWithinAMinuteAndPagesCriticalOnce() throws Exception {
    Outcome o = replay(log(30, from(10, (r, c, v, s) -> c.equals("primary")), CALM));
    assertThat(o.recommendations()).containsExactly("STAY", "FAILOVER");
    long detection = o.firstSecondOf("FAILOVER") - 100;
    assertThat(detection).as("seconds from the outage's start to FAILOVER").isBetween(30L, 60L);
    assertThat(o.pages()).filteredOn(p -> p.startsWith("trigger critical"))
        .containsExactly("trigger critical SERVICE tandem/order-platform/primary/CLOUD_WIDE");
  }

  @Test
  void outageWhileReplicationLagExceedsTheRpoHolds() throws Exception {
    World lagging = new World() {
      @Override
      public boolean pathSilent(int round, String path) {
        return false;
      }

      @Override
      public double lag(int round) {
        return 300.0;
      }
    };
    Outcome o = replay(log(30, from(10, (r, c, v, s) -> c.equals("primary")), lagging));
    assertThat(o.recommendations()).containsExactly("STAY", "HOLD");
    assertThat(o.pages()).anyMatch(p -> p.startsWith("trigger critical SERVICE tandem/order-platform/primary/"));
  }

  @Test
  void oneVantageLostWarnsObservabilityAndNeverFailsOver() throws Exception {
    Outcome o = replay(log(30, from(10, (r, c, v, s) -> v.equals("ext-1")), CALM));
    assertThat(o.recommendations()).containsOnly("STAY");
    // The lost vantage burns the probe-based SLOs, but the owner is not paged for an observer problem.
    assertThat(o.pages()).noneMatch(p -> p.contains("critical") || p.startsWith("trigger error"));
    assertThat(o.pages()).anyMatch(p -> p.startsWith("trigger warning OBSERVABILITY tandem/observability/")
        && p.endsWith("/VANTAGE"));
  }

  @Test
  void oneVantageLostDuringARealOutageStillFailsOver() throws Exception {
    Fault both = (r, c, v, s) -> (r >= 5 && v.equals("ext-1")) || (r >= 10 && c.equals("primary"));
    Outcome o = replay(log(30, both, CALM));
    assertThat(o.recommendations()).containsExactly("STAY", "FAILOVER");
  }

  @Test
  void silentPathWhileProbesPassWarnsAndNeverFailsOver() throws Exception {
    World silentA = new World() {
      @Override
      public boolean pathSilent(int round, String path) {
        return round >= 5 && path.equals("path-a");
      }

      @Override
      public double lag(int round) {
        return 3.0;
      }
    };
    Outcome o = replay(log(30, (r, c, v, s) -> false, silentA));
    assertThat(o.recommendations()).containsOnly("STAY");
    assertThat(o.pages()).containsExactly(
        "trigger warning OBSERVABILITY tandem/observability/primary/TELEMETRY");
  }

  @Test
  void bothCloudsFailingHoldsAsASharedDependency() throws Exception {
    Outcome o = replay(log(30, from(10, (r, c, v, s) -> true), CALM));
    assertThat(o.recommendations()).containsExactly("STAY", "HOLD");
    assertThat(o.pages()).filteredOn(p -> p.startsWith("trigger critical")).hasSize(1);
  }

  @Test
  void recoveryResolvesThePageWithTheSameKey() throws Exception {
    Fault outage = (r, c, v, s) -> r >= 10 && r < 20 && c.equals("primary");
    Outcome o = replay(log(40, outage, CALM));
    assertThat(o.recommendations()).containsExactly("STAY", "FAILOVER", "STAY");
    assertThat(o.pages()).containsSubsequence(
        "trigger critical SERVICE tandem/order-platform/primary/CLOUD_WIDE",
        "resolve critical SERVICE tandem/order-platform/primary/CLOUD_WIDE");
    // Leaving needs two hold-downs of recovery: not before 60 s after the primary works again.
    assertThat(o.atSeconds().get(2) - 200).isGreaterThanOrEqualTo(60L);
  }

  @Test
  void anOutageFlappingThirtySecondsOnAndOffIsConfirmedOnceAndDoesNotFlipFlop() throws Exception {
    Fault flapping = (r, c, v, s) -> r >= 10 && (r / 3) % 2 == 0 && c.equals("primary");
    Outcome o = replay(log(60, flapping, CALM));
    assertThat(o.recommendations()).containsExactly("STAY", "FAILOVER");
    assertThat(o.pages()).filteredOn(p -> p.startsWith("trigger critical")).hasSize(1);
    assertThat(o.pages()).noneMatch(p -> p.startsWith("resolve critical"));
  }

  @Test
  void aGrayFailureIsJudgedByBurnRate() throws Exception {
    // About 30% errors cloud-wide: every vantage sees some steps fail, most runs still pass, and
    // both SLOs of the domain burn at a paging rate.
    Fault gray = (r, c, v, s) -> r >= 10 && c.equals("primary")
        && ((r + v.length() + s.length()) % 3 == 0);
    Outcome o = replay(log(40, gray, CALM));
    assertThat(o.recommendations()).containsExactly("STAY", "FAILOVER");
    assertThat(o.pages()).anyMatch(p -> p.startsWith("trigger critical SERVICE tandem/order-platform/primary/"));
  }

  @Test
  void aSlowBurnReachesOnlyATicketTierAndPagesNobody() throws Exception {
    // About 0.44% of the order journey's steps fail (one run in 25, from one vantage): over the
    // ticket threshold of 28 days (2.8 x 0.1% = 0.28%), under both page thresholds (1.344%, 0.56%).
    Fault slow = (r, c, v, s) -> c.equals("primary") && v.equals("ext-1") && s.equals("allocate") && r % 25 == 7;
    Outcome o = replay(log(6 * 360, slow, CALM));
    assertThat(o.sloAlerts()).contains("ticket-fast:true").doesNotContain("page-fast:true", "page-slow:true");
    assertThat(o.recommendations()).containsOnly("STAY");
    assertThat(o.pages()).isEmpty();
  }

  @Test
  void oneFailingStepIsAComponentFaultWithoutFailover() throws Exception {
    Outcome o = replay(log(30, from(5, (r, c, v, s) -> c.equals("primary") && s.equals("allocate")), CALM));
    assertThat(o.recommendations()).containsOnly("STAY");
    assertThat(o.pages()).noneMatch(p -> p.contains("critical"));
    assertThat(o.pages()).anyMatch(p -> p.startsWith("trigger error SERVICE tandem/slo/order-journey/primary/"));
  }
}
