package dev.tandem.engine.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.judge.CloudClassifier.ClockSkew;
import dev.tandem.engine.judge.CloudClassifier.CloudInputs;
import dev.tandem.engine.judge.ProbeLedger.VantageCounts;
import dev.tandem.engine.judge.TelemetryLedger.OperationStats;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.verdict.Evidence;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The classifier, table-driven: each row is a pattern of probe outcomes (and telemetry, SLO
 * burns, silent paths, refused results) played into a real ledger for 60 s, then the structured
 * finding it must give: the table's row, the fault, the health, and the signals of its evidence.
 * Nothing here reads the reason's prose.
 */
class CloudClassifierTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final List<VantageSpec> VANTAGES = List.of(new VantageSpec("ext-1", "third-party", "eu"),
      new VantageSpec("ext-2", "third-party", "us"), new VantageSpec("in-a", "cloud-a", "eu-west"),
      new VantageSpec("in-b", "cloud-b", "eu-central"));
  private static final Map<String, List<String>> JOURNEYS = Map.of(
      "order", List.of("submit", "allocate", "invoice"),
      "stock", List.of("lookup", "health"));

  /** Which step fails: cloud, vantage, journey/step, round, dice. */
  interface Pattern {
    boolean fails(String cloud, String vantage, String step, int round, Random dice);
  }

  /** Everything else a row may add. */
  record Extra(List<OperationStats> telemetry, List<String> silentPaths, List<String> burning,
      Map<String, ClockSkew> skewed, String error) {
    static Extra none() {
      return new Extra(List.of(), List.of(), List.of(), Map.of(), "status 503, expected 2xx");
    }

    Extra telemetry(OperationStats op) {
      return new Extra(List.of(op), silentPaths, burning, skewed, error);
    }

    Extra silent(String path) {
      return new Extra(telemetry, List.of(path), burning, skewed, error);
    }

    Extra burning(String... slos) {
      return new Extra(telemetry, silentPaths, List.of(slos), skewed, error);
    }

    Extra skewed(String vantage) {
      return new Extra(telemetry, silentPaths, burning, Map.of(vantage, new ClockSkew(vantage, 12, 120_000)), error);
    }

    Extra error(String e) {
      return new Extra(telemetry, silentPaths, burning, skewed, e);
    }
  }

  private static Arguments row(String name, Pattern p, Extra extra, ClassifierRule rule, Fault fault, Health health,
      List<String> signals) {
    return Arguments.of(name, p, extra, rule, fault, health, signals);
  }

  static Stream<Arguments> rows() {
    Pattern none = (c, v, s, r, d) -> false;
    return Stream.of(
        row("healthy", none, Extra.none(), ClassifierRule.HEALTHY, Fault.NONE, Health.HEALTHY, List.of()),
        row("outage: every request of cloud-a fails", (c, v, s, r, d) -> c.equals("cloud-a"), Extra.none(),
            ClassifierRule.CLOUD_WIDE, Fault.CLOUD_WIDE, Health.DEGRADED, List.of("cloud-wide", "run-failure-rate")),
        row("outage with refused connections", (c, v, s, r, d) -> c.equals("cloud-a"),
            Extra.none().error("connect refused"), ClassifierRule.CLOUD_WIDE, Fault.CLOUD_WIDE, Health.DEGRADED,
            List.of("cloud-wide")),
        row("brownout: a third of every step fails, from every vantage",
            (c, v, s, r, d) -> c.equals("cloud-a") && d.nextDouble() < 0.35, Extra.none(),
            ClassifierRule.CLOUD_WIDE, Fault.CLOUD_WIDE, Health.DEGRADED, List.of("cloud-wide")),
        row("one step fails every time: concentrated, however many SLOs burn",
            (c, v, s, r, d) -> c.equals("cloud-a") && s.equals("order/allocate"), Extra.none().burning("a", "b", "c"),
            ClassifierRule.COMPONENT, Fault.COMPONENT, Health.DEGRADED, List.of("step-failure-rate", "slo-burn")),
        row("two steps sharing a dependency fail: still a component",
            (c, v, s, r, d) -> c.equals("cloud-a") && (s.equals("order/allocate") || s.equals("stock/lookup")),
            Extra.none(), ClassifierRule.COMPONENT, Fault.COMPONENT, Health.DEGRADED, List.of("step-failure-rate")),
        row("every journey's entry fails: not a component but the cloud",
            (c, v, s, r, d) -> c.equals("cloud-a") && (s.equals("order/submit") || s.equals("stock/lookup")),
            Extra.none(), ClassifierRule.CLOUD_WIDE, Fault.CLOUD_WIDE, Health.DEGRADED, List.of("cloud-wide")),
        row("a service erring in the cloud's own telemetry",
            none, Extra.none().telemetry(new OperationStats("inventory", "POST /allocation", 60, 100)),
            ClassifierRule.COMPONENT, Fault.COMPONENT, Health.DEGRADED, List.of("service-errors")),
        row("one SLO burns and nothing else says why: a component", none, Extra.none().burning("orders"),
            ClassifierRule.COMPONENT, Fault.COMPONENT, Health.DEGRADED, List.of("slo-burn")),
        row("one vantage fails every run against both clouds: blamed",
            (c, v, s, r, d) -> v.equals("ext-2"), Extra.none().error("connection closed before response"),
            ClassifierRule.VANTAGE, Fault.VANTAGE, Health.HEALTHY, List.of("vantage-blamed")),
        row("one vantage loses half its requests to both clouds: blamed, its burning SLO is not a component",
            (c, v, s, r, d) -> v.equals("ext-2") && d.nextDouble() < 0.5, Extra.none().burning("orders"),
            ClassifierRule.VANTAGE, Fault.VANTAGE, Health.HEALTHY, List.of("vantage-blamed", "slo-burn")),
        row("a vantage whose clock runs ahead", none, Extra.none().skewed("ext-2"),
            ClassifierRule.VANTAGE, Fault.VANTAGE, Health.HEALTHY, List.of("clock-skew")),
        row("a vantage lost while the cloud fails: the rest still makes a quorum",
            (c, v, s, r, d) -> v.equals("ext-1") || c.equals("cloud-a"), Extra.none(),
            ClassifierRule.CLOUD_WIDE, Fault.CLOUD_WIDE, Health.DEGRADED, List.of("vantage-blamed", "cloud-wide")),
        row("a silent path while probes pass", none, Extra.none().silent("path-a"),
            ClassifierRule.TELEMETRY, Fault.TELEMETRY, Health.HEALTHY, List.of("path-silent")),
        row("only one failure domain sees the cloud fail and it is not (yet) significantly worse",
            (c, v, s, r, d) -> c.equals("cloud-a") && v.equals("in-a") && r >= 11, Extra.none(),
            ClassifierRule.HEALTHY, Fault.NONE, Health.HEALTHY, List.of("run-failure-rate")),
        row("background noise: a failed step now and then", (c, v, s, r, d) -> d.nextDouble() < 0.01, Extra.none(),
            ClassifierRule.HEALTHY, Fault.NONE, Health.HEALTHY, List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void findsTheTablesRowWithStructuredEvidence(String name, Pattern pattern, Extra extra, ClassifierRule rule,
      Fault fault, Health health, List<String> signals) {
    CloudFinding f = classify(pattern, extra);
    assertThat(f.rule()).as("row").isEqualTo(rule);
    assertThat(f.fault()).isEqualTo(fault);
    assertThat(f.health()).isEqualTo(health);
    assertThat(f.cloudWide()).isEqualTo(rule == ClassifierRule.CLOUD_WIDE);
    List<Object> seen = f.evidence().stream().map(e -> e.fields().get("signal")).toList();
    assertThat(seen).as("evidence signals").containsAll(signals);
    for (Evidence e : f.evidence()) {
      assertThat(e.kind()).isIn(Evidence.PROBE, Evidence.SLI, Evidence.PATH);
      assertThat(e.fields()).containsKey("signal");
    }
  }

  @org.junit.jupiter.api.Test
  void aBlamedVantageIsNamedAndItsRatesAreInTheEvidence() {
    CloudFinding f = classify((c, v, s, r, d) -> v.equals("ext-2"), Extra.none());
    assertThat(f.blamedVantages()).containsExactly("ext-2");
    assertThat(f.evidence()).filteredOn(e -> "vantage-blamed".equals(e.fields().get("signal"))).singleElement()
        .satisfies(e -> {
          assertThat(e.fields()).containsEntry("vantage", "ext-2").containsEntry("bothClouds", false);
          assertThat((Long) e.fields().get("failed")).isEqualTo((Long) e.fields().get("runs"));
          assertThat((Long) e.fields().get("othersFailed")).isZero();
          assertThat((Double) e.fields().get("pValue")).isLessThan(Rates.ALPHA);
        });
  }

  @org.junit.jupiter.api.Test
  void quorumCountsFailureDomainsNotVantages() {
    // ext-1 and ext-2 share a provider but not a region: two domains. Two vantages of one domain
    // are one: here only the third-party ones fail, in one region, so there is no quorum.
    List<VantageSpec> sameRegion = List.of(new VantageSpec("ext-1", "third-party", "eu"),
        new VantageSpec("ext-2", "third-party", "eu"), new VantageSpec("in-a", "cloud-a", "eu-west"),
        new VantageSpec("in-b", "cloud-b", "eu-central"));
    CloudFinding f = classify(sameRegion, (c, v, s, r, d) -> c.equals("cloud-a") && v.startsWith("ext-"), Extra.none());
    assertThat(f.signals().failingQuorum()).isFalse();
    assertThat(f.rule()).isNotEqualTo(ClassifierRule.CLOUD_WIDE);
  }

  private static CloudFinding classify(Pattern pattern, Extra extra) {
    return classify(VANTAGES, pattern, extra);
  }

  /** Plays 12 rounds of 5 s (60 s) into a ledger and classifies cloud-a at the end. */
  private static CloudFinding classify(List<VantageSpec> vantages, Pattern pattern, Extra extra) {
    ProbeLedger ledger = new ProbeLedger(30_000, 10_000, 300_000);
    Random dice = new Random(42);
    Instant now = T0;
    for (int round = 0; round < 12; round++) {
      now = T0.plusSeconds(5L * round);
      for (VantageSpec v : vantages) {
        for (String cloud : List.of("cloud-a", "cloud-b")) {
          for (Map.Entry<String, List<String>> j : JOURNEYS.entrySet()) {
            String run = round + "-" + v.id() + "-" + cloud + "-" + j.getKey();
            for (String step : j.getValue()) {
              boolean bad = pattern.fails(cloud, v.id(), j.getKey() + "/" + step, round, dice);
              ledger.add(new ProbeObservation(now, run, j.getKey(), step, cloud, v.id(), !bad, 40,
                  bad ? extra.error() : null), now);
              if (bad) {
                break;
              }
            }
          }
        }
      }
    }
    CloudClassifier classifier = new CloudClassifier(vantages, 2, 0.2);
    Set<String> journeys = JOURNEYS.keySet();
    Map<String, VantageCounts> a = new LinkedHashMap<>();
    Map<String, VantageCounts> b = new LinkedHashMap<>();
    for (VantageSpec v : vantages) {
      a.put(v.id(), ledger.counts("cloud-a", v.id(), journeys, now));
      b.put(v.id(), ledger.counts("cloud-b", v.id(), journeys, now));
    }
    return classifier.classify(new CloudInputs("cloud-a", "cloud-b", a, b, new ArrayList<>(extra.telemetry()),
        extra.silentPaths(), true, extra.burning(), extra.skewed()));
  }
}
