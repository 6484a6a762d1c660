package dev.tandem.engine.judge;

import dev.tandem.engine.judge.ProbeLedger.StepStats;
import dev.tandem.engine.judge.TelemetryLedger.OperationStats;
import dev.tandem.engine.verdict.Evidence;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the pattern of failures across vantage x cloud x step x path and names the fault
 * (DESIGN.md, the classifier table):
 *
 * <ul>
 *   <li>a vantage sees a cloud <em>down</em> when most of its probe results fail and every
 *       journey it ran fails somewhere; a quorum of independent vantages seeing it down is
 *       {@link Fault#CLOUD_WIDE};
 *   <li>the same steps failing from the vantages that otherwise see the cloud work, or a service
 *       erring in the cloud's own telemetry, is {@link Fault#COMPONENT};
 *   <li>a path silent while probes pass is {@link Fault#TELEMETRY};
 *   <li>a vantage seeing a cloud down while other vantages see it work is {@link Fault#VANTAGE}.
 * </ul>
 *
 * <p>With a single journey, a fault in its first step looks like an outage to probes alone; the
 * cloud's own telemetry (services still answering) tells them apart in a later cut.
 */
final class CloudClassifier {
  /** A service erring on at least this share of requests, and at least MIN_FAILED of them. */
  static final double COMPONENT_ERROR_RATIO = 0.10;
  static final long MIN_FAILED = 5;
  /** Evidence items per cloud from probes: enough to act on, bounded for pages and payloads. */
  static final int MAX_EVIDENCE = 12;

  enum View { NO_DATA, OK, PARTIAL, DOWN }

  private final Map<String, VantageSpec> vantages;
  private final int quorum;

  CloudClassifier(List<VantageSpec> vantages, int quorum) {
    this.vantages = new LinkedHashMap<>();
    vantages.forEach(v -> this.vantages.put(v.id(), v));
    this.quorum = quorum;
  }

  /** How each vantage sees {@code cloud} through the domain's journeys. */
  Map<String, List<StepStats>> stepsByVantage(ProbeLedger probes, String cloud,
      Set<String> journeys, Instant now) {
    Map<String, List<StepStats>> out = new LinkedHashMap<>();
    for (String v : vantages.keySet()) {
      out.put(v, probes.stats(cloud, v, journeys, now));
    }
    return out;
  }

  /**
   * A vantage sees a cloud DOWN when every journey it ran against it is failing and nothing in
   * those journeys has worked since the failures began; PARTIAL when some steps fail while others
   * keep working.
   */
  static View view(List<StepStats> steps) {
    if (steps.isEmpty()) {
      return View.NO_DATA;
    }
    Map<String, Instant> lastOk = new HashMap<>();
    Map<String, Instant> failingSince = new HashMap<>();
    for (StepStats s : steps) {
      if (s.lastOkAt() != null) {
        lastOk.merge(s.journey(), s.lastOkAt(), (a, b) -> a.isAfter(b) ? a : b);
      }
      if (s.failing()) {
        failingSince.merge(s.journey(), s.streakStart(), (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    if (failingSince.isEmpty()) {
      return View.OK;
    }
    Set<String> journeys = new TreeSet<>();
    steps.forEach(s -> journeys.add(s.journey()));
    for (String journey : journeys) {
      Instant since = failingSince.get(journey);
      Instant ok = lastOk.get(journey);
      if (since == null || (ok != null && !ok.isBefore(since))) {
        return View.PARTIAL;
      }
    }
    return View.DOWN;
  }

  CloudFinding classify(String cloud, Map<String, List<StepStats>> steps,
      Map<String, View> otherCloudViews, List<OperationStats> telemetry, List<String> silentPaths,
      boolean anyPathForCloud, List<String> burningSlos) {
    List<Evidence> evidence = new ArrayList<>();
    Set<String> down = new LinkedHashSet<>();
    Set<String> seeing = new LinkedHashSet<>();
    Set<String> working = new LinkedHashSet<>();
    Map<String, Set<String>> failingStepVantages = new LinkedHashMap<>();
    for (Map.Entry<String, List<StepStats>> e : steps.entrySet()) {
      View view = view(e.getValue());
      if (view == View.NO_DATA) {
        continue;
      }
      seeing.add(e.getKey());
      if (view == View.DOWN) {
        down.add(e.getKey());
      } else {
        working.add(e.getKey());
      }
      for (StepStats s : e.getValue()) {
        if (s.failing()) {
          failingStepVantages.computeIfAbsent(s.journey() + "/" + s.step(), k -> new TreeSet<>())
              .add(e.getKey());
          if (evidence.size() < MAX_EVIDENCE) {
            evidence.add(probeEvidence(cloud, s));
          }
        }
      }
    }
    int independentDown = independent(down);

    // Component: a step failing from every working vantage (at least a quorum of them, or all
    // when fewer see the cloud), or a service erring in the cloud's own telemetry.
    List<String> failingComponents = new ArrayList<>();
    int needed = Math.max(1, Math.min(quorum, working.size()));
    for (Map.Entry<String, Set<String>> e : failingStepVantages.entrySet()) {
      Set<String> fromWorking = new TreeSet<>(e.getValue());
      fromWorking.retainAll(working);
      if (independent(fromWorking) >= needed && !working.isEmpty()) {
        failingComponents.add("step " + e.getKey());
      }
    }
    for (OperationStats op : telemetry) {
      if (op.failed() >= MIN_FAILED && op.failed() >= COMPONENT_ERROR_RATIO * op.total()) {
        failingComponents.add("service " + op.service() + " (" + op.operation() + ")");
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("cloud", cloud);
        f.put("service", op.service());
        f.put("operation", op.operation());
        f.put("good", op.good());
        f.put("total", op.total());
        evidence.add(new Evidence(Evidence.SLI, op.service() + " " + op.operation() + " answered "
            + op.failed() + " of " + op.total() + " requests with a server error", f));
      }
    }
    for (String slo : burningSlos) {
      evidence.add(new Evidence(Evidence.SLI, "SLO " + slo + " burns its error budget at a paging rate in " + cloud,
          Map.of("slo", slo, "cloud", cloud, "tier", "page")));
    }
    for (String path : silentPaths) {
      evidence.add(new Evidence(Evidence.PATH, "telemetry path " + path + " is silent",
          Map.of("path", path, "cloud", cloud, "silent", true)));
    }

    if (independentDown >= quorum) {
      String summary = independentDown + " independent vantages (" + String.join(", ", down)
          + ") see " + cloud + " fail across all its journeys"
          + (silentPaths.isEmpty() ? "" : ", and its telemetry went silent");
      return new CloudFinding(Health.UNHEALTHY, Fault.CLOUD_WIDE, true, !working.isEmpty(),
          evidence, summary);
    }
    // A gray failure: no vantage sees the cloud down, but several of the domain's SLOs burn at a
    // paging rate and independent vantages see steps fail. Judged by burn rate, not one probe.
    Set<String> partial = new LinkedHashSet<>();
    for (Map.Entry<String, List<StepStats>> e : steps.entrySet()) {
      if (view(e.getValue()) == View.PARTIAL) {
        partial.add(e.getKey());
      }
    }
    if (burningSlos.size() >= 2 && independent(partial) >= quorum) {
      String summary = "a gray failure: SLOs " + String.join(", ", burningSlos) + " burn at a paging rate in "
          + cloud + " and " + independent(partial) + " independent vantages (" + String.join(", ", partial)
          + ") see steps fail";
      return new CloudFinding(Health.UNHEALTHY, Fault.CLOUD_WIDE, true, true, evidence, summary);
    }
    // A vantage that cannot reach the cloud burns probe-based SLOs too: with such a vantage in
    // the picture, a burning SLO is not evidence of a component fault on its own.
    if (burningSlos.size() == 1 && !working.isEmpty() && down.isEmpty()) {
      failingComponents.add("SLO " + burningSlos.get(0));
    }
    if (seeing.isEmpty()) {
      if (!silentPaths.isEmpty() || !anyPathForCloud) {
        return new CloudFinding(Health.UNKNOWN, silentPaths.isEmpty() ? Fault.NONE : Fault.TELEMETRY,
            false, false, evidence, "no probe results and no telemetry from " + cloud);
      }
      return new CloudFinding(Health.UNKNOWN, Fault.NONE, false, false, evidence,
          "no probe results for " + cloud + " yet");
    }
    if (working.isEmpty()) {
      return new CloudFinding(Health.UNKNOWN, Fault.NONE, false, false, evidence,
          "only " + String.join(", ", down) + " see " + cloud + " and they see it fail: fewer than "
              + quorum + " independent vantages, so it is not confirmed");
    }
    if (!failingComponents.isEmpty()) {
      return new CloudFinding(Health.DEGRADED, Fault.COMPONENT, false, true, evidence,
          String.join(", ", failingComponents) + " failing while the rest of " + cloud + " works");
    }
    if (!silentPaths.isEmpty()) {
      return new CloudFinding(Health.HEALTHY, Fault.TELEMETRY, false, true, evidence,
          "telemetry path " + String.join(", ", silentPaths) + " is silent while probes of "
              + cloud + " pass");
    }
    if (!down.isEmpty()) {
      for (String v : down) {
        boolean alsoOther = otherCloudViews.get(v) == View.DOWN;
        Map<String, Object> f = Map.of("vantage", v, "cloud", cloud, "failsAgainstOtherCloud", alsoOther);
        evidence.add(new Evidence(Evidence.PROBE, "vantage " + v + " cannot complete journeys against "
            + cloud + (alsoOther ? " nor against the other cloud" : "") + " while "
            + String.join(", ", working) + " can", f));
      }
      return new CloudFinding(Health.HEALTHY, Fault.VANTAGE, false, true, evidence,
          "vantage " + String.join(", ", down) + " fails while " + String.join(", ", working)
              + " see " + cloud + " work");
    }
    return new CloudFinding(Health.HEALTHY, Fault.NONE, false, true, evidence,
        cloud + " passes its journeys from " + String.join(", ", working));
  }

  /** How many independent failure domains (provider x region) the vantages span. */
  int independent(Set<String> vantageIds) {
    Set<String> keys = new TreeSet<>();
    for (String id : vantageIds) {
      VantageSpec v = vantages.get(id);
      keys.add(v == null ? "unknown/" + id : v.independenceKey());
    }
    return keys.size();
  }

  private static Evidence probeEvidence(String cloud, StepStats s) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("cloud", cloud);
    f.put("vantage", s.vantage());
    f.put("journey", s.journey());
    f.put("step", s.step());
    f.put("failed", s.failed());
    f.put("total", s.total());
    if (s.lastError() != null) {
      f.put("lastError", s.lastError());
    }
    return new Evidence(Evidence.PROBE, s.journey() + "/" + s.step() + " failed " + s.failed()
        + " of " + s.total() + " from " + s.vantage()
        + (s.lastError() == null ? "" : " (" + s.lastError() + ")"), f);
  }
}
