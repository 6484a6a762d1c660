package dev.tandem.engine.judge;

import dev.tandem.engine.judge.ProbeLedger.StepCounts;
import dev.tandem.engine.judge.ProbeLedger.VantageCounts;
import dev.tandem.engine.judge.TelemetryLedger.OperationStats;
import dev.tandem.engine.verdict.Evidence;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns counts into the inputs of the classifier's table ({@link ClassifierRule}) and names the
 * fault of one cloud. Everything is judged on rates over windows with confidence bounds
 * ({@link Rates}); no decision rests on the last run.
 *
 * <p>The unit of independence is the failure domain (a vantage's provider and region): vantages
 * in one domain are pooled, quorums count domains, and every comparison sets a domain against
 * other domains.
 *
 * <ol>
 *   <li><b>Blame.</b> Over the vantage window, a domain is blamed for a cloud when it fails
 *       significantly more often than the domains that fail least there (Fisher's exact test,
 *       one-sided, 1%), or when it does so over both clouds together while failing against each.
 *       A blamed domain's results say nothing about the cloud: they are set aside.
 *   <li><b>Failing.</b> A domain sees the cloud failing when the lower bound of its journey-run
 *       failure rate (over the recent part of the probe window, or over all of it) reaches
 *       {@code brownoutErrorRate}, and the recent rate itself is at least that: it is still
 *       failing now.
 *   <li><b>Concentration.</b> Over the probe window, the failures sit in one or two steps that
 *       fail significantly more than all other steps (Fisher), still fail now, and do not block
 *       every journey at its entry; the other steps are healthy (upper bound under the threshold,
 *       and failing less than a quarter of it) and work now (lower bound of their recent success
 *       rate at least one half). Without all of these, failures are not concentrated.
 * </ol>
 */
final class CloudClassifier {
  /**
   * A domain sees a cloud failing, and a step counts as failing, on at least this many failures,
   * never on one.
   */
  static final long MIN_FAILED_RUNS = 2;
  /** A component may be one step, or two that share a dependency. */
  static final int MAX_COMPONENT_STEPS = 2;
  /** A service erring in telemetry: lower bound of its error ratio, and at least this many errors. */
  static final double SERVICE_ERROR_LOWER = 0.05;
  static final long MIN_SERVICE_FAILED = 3;
  /** A domain sees a cloud down (nothing works) when its recent steps fail at least this often. */
  static final double DOWN_STEP_FAILURE_LOWER = 0.5;
  /**
   * Blame needs a difference that matters as well as one that is significant: the blamed domain's
   * run failure rate (lower bound over the vantage window) is at least this, and it failed at least
   * {@link #MIN_BLAME_FAILURES} runs. Background noise (a few failed runs in hundreds) never blames.
   */
  static final double BLAME_MIN_RATE = 0.05;
  static final long MIN_BLAME_FAILURES = 3;
  /** Evidence items per cloud: enough to act on, bounded for pages and payloads (the first kept). */
  static final int MAX_EVIDENCE = 16;

  /** One failure domain's counts against one cloud, its vantages pooled. */
  record DomainCounts(String key, List<String> vantages, long[] window, long[] recent, long[] longRuns,
      Map<String, long[]> steps, Map<String, String> lastErrors, List<List<String>> entries) {
    long runs() {
      return window[ProbeLedger.RUNS];
    }

    long failed() {
      return window[ProbeLedger.RUNS_FAILED];
    }
  }

  /** Everything known about one cloud (and, for blame, the other) at one instant. */
  record CloudInputs(String cloud, String otherCloud, Map<String, VantageCounts> counts,
      Map<String, VantageCounts> otherCounts, List<OperationStats> telemetry, List<String> silentPaths,
      boolean anyPathForCloud, List<String> burningSlos, Map<String, ClockSkew> skewed) {}

  /** Results refused from a vantage whose clock runs ahead, in the vantage window. */
  record ClockSkew(String vantage, long refused, long aheadMillis) {}

  private final Map<String, VantageSpec> vantages = new LinkedHashMap<>();
  /** Failure domain key to its vantages, in configuration order. */
  private final Map<String, List<String>> domains = new LinkedHashMap<>();
  private final int quorum;
  private final double threshold;

  CloudClassifier(List<VantageSpec> vantages, int quorum, double brownoutErrorRate) {
    for (VantageSpec v : vantages) {
      this.vantages.put(v.id(), v);
      domains.computeIfAbsent(v.independenceKey(), k -> new ArrayList<>()).add(v.id());
    }
    this.quorum = quorum;
    this.threshold = brownoutErrorRate;
  }

  Set<String> vantageIds() {
    return vantages.keySet();
  }

  /** Pools each failure domain's vantages. */
  Map<String, DomainCounts> pool(Map<String, VantageCounts> byVantage) {
    Map<String, DomainCounts> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> d : domains.entrySet()) {
      long[] window = new long[ProbeLedger.RUN_WIDTH];
      long[] recent = new long[ProbeLedger.RUN_WIDTH];
      long[] longRuns = new long[2];
      Map<String, long[]> steps = new TreeMap<>();
      Map<String, String> errors = new TreeMap<>();
      List<List<String>> entries = new ArrayList<>();
      for (String v : d.getValue()) {
        VantageCounts c = byVantage.get(v);
        if (c == null) {
          continue;
        }
        add(window, c.window());
        add(recent, c.recent());
        add(longRuns, c.longRuns());
        for (StepCounts s : c.steps()) {
          long[] sum = steps.computeIfAbsent(s.key(), k -> new long[5]);
          sum[0] += s.attempts();
          sum[1] += s.failed();
          sum[2] += s.transport();
          sum[3] += s.recentAttempts();
          sum[4] += s.recentFailed();
          if (s.lastError() != null) {
            errors.put(s.key(), s.lastError());
          }
        }
        entries.add(c.entries());
      }
      out.put(d.getKey(), new DomainCounts(d.getKey(), d.getValue(), window, recent, longRuns, steps, errors,
          entries));
    }
    return out;
  }

  private static void add(long[] into, long[] from) {
    for (int i = 0; i < into.length; i++) {
      into[i] += from[i];
    }
  }

  CloudFinding classify(CloudInputs in) {
    Map<String, DomainCounts> here = pool(in.counts());
    Map<String, DomainCounts> there = pool(in.otherCounts());
    List<Evidence> evidence = new ArrayList<>();

    // 1. Blame, over the vantage window.
    Set<String> blamed = new LinkedHashSet<>();
    for (DomainCounts d : here.values()) {
      if (d.runs() == 0) {
        continue;
      }
      Blame b = blame(d, here, there);
      if (b != null) {
        blamed.add(d.key());
        evidence.add(b.evidence(in.cloud()));
      }
    }

    // 2. Failing, working and down, per domain not blamed.
    List<DomainCounts> judged = new ArrayList<>();
    Set<String> failing = new LinkedHashSet<>();
    Set<String> down = new LinkedHashSet<>();
    Set<String> transport = new LinkedHashSet<>();
    Set<String> working = new LinkedHashSet<>();
    for (DomainCounts d : here.values()) {
      if (d.runs() == 0 || blamed.contains(d.key())) {
        continue;
      }
      judged.add(d);
      long runsR = d.recent()[ProbeLedger.RUNS];
      long failedR = d.recent()[ProbeLedger.RUNS_FAILED];
      double now = Rates.rate(failedR, runsR, Rates.rate(d.failed(), d.runs(), 0));
      // Never one run: a bound from a single failed run (1 of 1 is "at least 21%") is not a rate.
      double lower = Math.max(failedR >= MIN_FAILED_RUNS ? Rates.lower(failedR, runsR) : 0,
          d.failed() >= MIN_FAILED_RUNS ? Rates.lower(d.failed(), d.runs()) : 0);
      boolean fails = lower >= threshold && now >= threshold;
      if (fails) {
        failing.add(d.key());
        long okSteps = d.recent()[ProbeLedger.STEPS_OK];
        long badSteps = d.recent()[ProbeLedger.STEPS_FAILED];
        if (Rates.lower(badSteps, okSteps + badSteps) >= DOWN_STEP_FAILURE_LOWER) {
          down.add(d.key());
        }
        long transportR = d.recent()[ProbeLedger.RUNS_TRANSPORT];
        if (failedR > 0 && transportR * 2 >= failedR) {
          transport.add(d.key());
        }
      } else if (now < threshold && d.runs() > d.failed()) {
        working.add(d.key());
      }
      if (d.failed() > 0 && evidence.size() < MAX_EVIDENCE) {
        evidence.add(domainEvidence(in.cloud(), d, lower, now, fails));
      }
    }

    // 3. Concentration, pooled over the domains judged.
    Concentration conc = concentration(judged);
    for (String step : conc.failingSteps()) {
      if (evidence.size() < MAX_EVIDENCE) {
        evidence.add(stepEvidence(in.cloud(), step, judged));
      }
    }

    // 4. Spread below the threshold: significant over all judged domains together, and still failing.
    Totals all = Totals.of(judged, threshold);
    boolean spreadBelow = failing.size() < quorum && all.domainsFailing() >= quorum && all.stepsFailing() >= 2
        && Rates.lower(all.failed(), all.runs()) >= threshold / 2
        && Rates.rate(all.recentFailed(), all.recentRuns(), 0) >= threshold / 2;

    // 5. Telemetry and SLOs.
    List<String> services = new ArrayList<>();
    for (OperationStats op : in.telemetry()) {
      if (op.failed() >= MIN_SERVICE_FAILED && Rates.lower(op.failed(), op.total()) >= SERVICE_ERROR_LOWER) {
        services.add(op.service() + " (" + op.operation() + ")");
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("signal", "service-errors");
        f.put("cloud", in.cloud());
        f.put("service", op.service());
        f.put("operation", op.operation());
        f.put("good", op.good());
        f.put("total", op.total());
        f.put("lower", round(Rates.lower(op.failed(), op.total())));
        evidence.add(new Evidence(Evidence.SLI, op.service() + " " + op.operation() + " answered "
            + op.failed() + " of " + op.total() + " requests with a server error", f));
      }
    }
    for (String slo : in.burningSlos()) {
      evidence.add(new Evidence(Evidence.SLI, "SLO " + slo + " burns its error budget at a paging rate in "
          + in.cloud(), Map.of("signal", "slo-burn", "slo", slo, "cloud", in.cloud(), "tier", "page")));
    }
    for (String path : in.silentPaths()) {
      evidence.add(new Evidence(Evidence.PATH, "telemetry path " + path + " is silent",
          Map.of("signal", "path-silent", "path", path, "cloud", in.cloud(), "silent", true)));
    }
    List<String> skewed = new ArrayList<>();
    for (ClockSkew s : in.skewed().values()) {
      skewed.add(s.vantage());
      evidence.add(new Evidence(Evidence.PROBE, "vantage " + s.vantage() + "'s clock runs "
          + Math.round(s.aheadMillis() / 1000.0) + " s ahead: " + s.refused() + " of its results were refused",
          Map.of("signal", "clock-skew", "vantage", s.vantage(), "cloud", in.cloud(), "refused", s.refused(),
              "aheadSeconds", Math.round(s.aheadMillis() / 1000.0))));
    }

    // Recovered: no domain sees it failing, and over all judged domains together the recent run
    // failure rate is well below the threshold. An UNHEALTHY cloud leaves only after this holds at
    // every tick for two hold-downs, so one lucky round in a brownout does not end it.
    boolean recovered = failing.isEmpty() && all.recentRuns() > 0
        && Rates.rate(all.recentFailed(), all.recentRuns(), 1) < threshold / 2;

    boolean vantageFault = !blamed.isEmpty() || !skewed.isEmpty();
    boolean component = conc.concentrated() || !services.isEmpty() || (!in.burningSlos().isEmpty() && !vantageFault);
    CloudSignals signals = new CloudSignals(!judged.isEmpty() || !blamed.isEmpty(), failing.size() >= quorum,
        conc.concentrated(), spreadBelow, component, vantageFault, !in.silentPaths().isEmpty(), !working.isEmpty());
    ClassifierRule rule = ClassifierRule.of(signals);
    if (rule == ClassifierRule.CLOUD_WIDE) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("signal", "cloud-wide");
      f.put("cloud", in.cloud());
      f.put("failingVantages", vantagesOf(failing));
      f.put("independentFailing", failing.size());
      f.put("quorum", quorum);
      f.put("down", down.size() >= quorum);
      f.put("transport", transport.size() >= quorum);
      f.put("brownoutErrorRate", threshold);
      String how = transport.size() >= quorum ? "its connections are refused, reset or time out"
          : down.size() >= quorum ? "nothing in its journeys works" : "its journey runs brown out";
      evidence.add(0, new Evidence(Evidence.PROBE, failing.size() + " independent vantages (" + vantagesOf(failing)
          + ") see " + in.cloud() + " fail: " + how, f));
    }
    Fault fault = rule == ClassifierRule.NO_DATA && !in.silentPaths().isEmpty() ? Fault.TELEMETRY : rule.fault();
    String summary = summary(rule, in, failing, down, transport, working, blamed, skewed, conc, services, judged);
    List<String> blamedVantages = new ArrayList<>();
    blamed.forEach(k -> blamedVantages.addAll(domains.get(k)));
    List<Evidence> bounded = evidence.size() > MAX_EVIDENCE ? evidence.subList(0, MAX_EVIDENCE) : evidence;
    return new CloudFinding(rule, rule.health(), fault, rule.cloudWide(), !working.isEmpty(), recovered, bounded,
        summary, blamedVantages, skewed, signals);
  }

  /**
   * Runs over every domain judged, together: in the window, in its recent part; how many domains
   * fail significantly (two failed runs or more, lower bound at least a quarter of the
   * threshold), and at how many steps.
   */
  private record Totals(long runs, long failed, long recentRuns, long recentFailed, int domainsFailing,
      int stepsFailing) {
    static Totals of(List<DomainCounts> judged, double threshold) {
      long runs = 0;
      long failed = 0;
      long recentRuns = 0;
      long recentFailed = 0;
      int domainsFailing = 0;
      Set<String> steps = new java.util.HashSet<>();
      for (DomainCounts d : judged) {
        runs += d.runs();
        failed += d.failed();
        recentRuns += d.recent()[ProbeLedger.RUNS];
        recentFailed += d.recent()[ProbeLedger.RUNS_FAILED];
        if (d.failed() >= MIN_FAILED_RUNS && Rates.lower(d.failed(), d.runs()) >= threshold / 4) {
          domainsFailing++;
        }
        d.steps().forEach((step, c) -> {
          if (c[1] > 0) {
            steps.add(step);
          }
        });
      }
      return new Totals(runs, failed, recentRuns, recentFailed, domainsFailing, steps.size());
    }
  }

  /** Why a domain is blamed, or null. */
  private record Blame(DomainCounts d, long failed, long runs, long refFailed, long refRuns, boolean bothClouds,
      double p, List<String> reference) {
    Evidence evidence(String cloud) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("signal", "vantage-blamed");
      f.put("cloud", cloud);
      f.put("vantage", String.join(",", d.vantages()));
      f.put("failed", failed);
      f.put("runs", runs);
      f.put("othersFailed", refFailed);
      f.put("othersRuns", refRuns);
      f.put("bothClouds", bothClouds);
      f.put("pValue", p);
      String who = String.join(", ", d.vantages());
      return new Evidence(Evidence.PROBE, "vantage " + who + " failed " + failed + " of " + runs + " runs"
          + (bothClouds ? " against both clouds" : " against " + cloud) + " while " + String.join(", ", reference)
          + " failed " + refFailed + " of " + refRuns + " (Fisher p = " + String.format(Locale.ROOT, "%.2g", p) + ")", f);
    }
  }

  private Blame blame(DomainCounts d, Map<String, DomainCounts> here, Map<String, DomainCounts> there) {
    DomainCounts dThere = there.get(d.key());
    long recentFailures = d.failed() + (dThere == null ? 0 : dThere.failed());
    if (recentFailures == 0) {
      return null;
    }
    // Against this cloud.
    Blame single = compare(d, here, null);
    if (single != null) {
      return single;
    }
    // Against both clouds together, failing against each.
    if (dThere == null || d.longRuns()[1] == 0 || dThere.longRuns()[1] == 0) {
      return null;
    }
    return compare(d, here, there);
  }

  /**
   * Compares {@code d} with every other failure domain, pooled, over the vantage window (this
   * cloud, or both clouds together): blamed when it fails significantly more often (Fisher), by a
   * margin that matters (its lower bound above their upper bound, and at least
   * {@link #BLAME_MIN_RATE}).
   */
  private Blame compare(DomainCounts d, Map<String, DomainCounts> here, Map<String, DomainCounts> there) {
    long[] mine = null;
    long refFailed = 0;
    long refRuns = 0;
    List<String> reference = new ArrayList<>();
    for (DomainCounts e : here.values()) {
      long[] r = {e.longRuns()[1], e.longRuns()[0]};
      if (there != null) {
        DomainCounts o = there.get(e.key());
        if (o != null) {
          r[0] += o.longRuns()[1];
          r[1] += o.longRuns()[0];
        }
      }
      if (e.key().equals(d.key())) {
        mine = r;
      } else if (r[1] > 0) {
        refFailed += r[0];
        refRuns += r[1];
        reference.addAll(domains.get(e.key()));
      }
    }
    if (mine == null || mine[1] == 0 || refRuns == 0) {
      return null;
    }
    double lower = Rates.lower(mine[0], mine[1]);
    if (mine[0] < MIN_BLAME_FAILURES || lower < BLAME_MIN_RATE || lower <= Rates.upper(refFailed, refRuns)) {
      return null;
    }
    double p = Rates.higherP(mine[0], mine[1], refFailed, refRuns);
    if (p >= Rates.ALPHA) {
      return null;
    }
    return new Blame(d, mine[0], mine[1], refFailed, refRuns, there != null, p, reference);
  }

  /** Where the failures sit. */
  record Concentration(boolean concentrated, List<String> failingSteps) {}

  private Concentration concentration(List<DomainCounts> judged) {
    // Failing steps, pooled; all critical steps together from the journeys' totals.
    Map<String, long[]> pooled = new TreeMap<>();
    long[] all = new long[5];
    for (DomainCounts d : judged) {
      d.steps().forEach((step, c) -> {
        long[] sum = pooled.computeIfAbsent(step, k -> new long[5]);
        for (int i = 0; i < 5; i++) {
          sum[i] += c[i];
        }
      });
      long okW = d.window()[ProbeLedger.STEPS_OK];
      long badW = d.window()[ProbeLedger.STEPS_FAILED];
      long okR = d.recent()[ProbeLedger.STEPS_OK];
      long badR = d.recent()[ProbeLedger.STEPS_FAILED];
      all[0] += okW + badW;
      all[1] += badW;
      all[3] += okR + badR;
      all[4] += badR;
    }
    List<Map.Entry<String, long[]>> candidates = new ArrayList<>();
    for (Map.Entry<String, long[]> e : pooled.entrySet()) {
      long[] c = e.getValue();
      // Failing over the window, and still failing now (a step that failed earlier and works
      // again is history, not a component fault).
      if (c[1] >= MIN_FAILED_RUNS && Rates.lower(c[1], c[0]) >= threshold / 2
          && Rates.lower(c[4], c[3]) >= threshold / 2) {
        candidates.add(e);
      }
    }
    candidates.sort(Comparator.<Map.Entry<String, long[]>>comparingDouble(e -> -(double) e.getValue()[1] / e.getValue()[0])
        .thenComparing(e -> -e.getValue()[1]).thenComparing(Map.Entry::getKey));
    List<String> top = new ArrayList<>();
    for (int i = 0; i < Math.min(MAX_COMPONENT_STEPS, candidates.size()); i++) {
      top.add(candidates.get(i).getKey());
    }
    if (top.isEmpty()) {
      // Nothing significantly failing on its own: name the steps that fail most, as evidence only.
      List<String> failingSome = new ArrayList<>();
      pooled.entrySet().stream().filter(e -> e.getValue()[1] > 0)
          .sorted(Comparator.comparingLong(e -> -e.getValue()[1])).limit(3).forEach(e -> failingSome.add(e.getKey()));
      return new Concentration(false, failingSome);
    }
    // Failures at the entry of every journey block them all: nothing can be said to work around
    // them, so they are not a component's (an outage that just ended looks like this too).
    Set<String> entries = new java.util.HashSet<>();
    judged.forEach(d -> d.entries().forEach(entries::addAll));
    boolean everyEntryFails = !entries.isEmpty() && top.containsAll(entries);
    long[] inTop = new long[5];
    for (String step : top) {
      long[] c = pooled.get(step);
      for (int i = 0; i < 5; i++) {
        inTop[i] += c[i];
      }
    }
    long[] rest = new long[5];
    for (int i = 0; i < 5; i++) {
      rest[i] = Math.max(0, all[i] - inTop[i]);
    }
    // The rest is healthy: below the threshold (upper bound) and failing rarely (a brownout's rest
    // fails as often as its top steps); and it works now.
    boolean concentrated = !everyEntryFails && Rates.higher(inTop[1], inTop[0], rest[1], rest[0])
        && Rates.upper(rest[1], rest[0]) < threshold && Rates.rate(rest[1], rest[0], 1) < threshold / 4
        && Rates.lower(rest[3] - rest[4], rest[3]) >= 0.5;
    return new Concentration(concentrated, top);
  }

  private String summary(ClassifierRule rule, CloudInputs in, Set<String> failing, Set<String> down,
      Set<String> transport, Set<String> working, Set<String> blamed, List<String> skewed, Concentration conc,
      List<String> services, List<DomainCounts> judged) {
    String cloud = in.cloud();
    switch (rule) {
      case NO_DATA:
        if (!in.silentPaths().isEmpty() || !in.anyPathForCloud()) {
          return "no probe results and no telemetry from " + cloud;
        }
        return "no probe results for " + cloud + " yet";
      case CLOUD_WIDE:
        // Who sees it, and how, is evidence (it moves from tick to tick in a brownout); the
        // sentence stays the same while the rule holds.
        return "a quorum of independent vantages sees " + cloud + " fail cloud-wide: journey runs fail at "
            + percent(threshold) + " or more, across its steps" + (in.silentPaths().isEmpty() ? ""
            : ", and its telemetry went silent");
      case BROWNOUT_BELOW_THRESHOLD:
        return cloud + " is degraded across its steps: independent vantages see journey runs fail, spread over"
            + " its steps, but below the brownout threshold of " + percent(threshold);
      case COMPONENT: {
        List<String> parts = new ArrayList<>();
        if (conc.concentrated()) {
          conc.failingSteps().forEach(s -> parts.add("step " + s));
        }
        services.forEach(s -> parts.add("service " + s));
        if (parts.isEmpty()) {
          in.burningSlos().forEach(s -> parts.add("SLO " + s));
        }
        return String.join(", ", parts) + " failing while the rest of " + cloud + " works";
      }
      case VANTAGE: {
        List<String> parts = new ArrayList<>();
        if (!blamed.isEmpty()) {
          parts.add("vantage " + vantagesOf(blamed) + " fails significantly more often than the other vantages,"
              + " which see " + cloud + " work");
        }
        if (!skewed.isEmpty()) {
          parts.add("vantage " + String.join(", ", skewed) + " has a clock running ahead: its results are refused");
        }
        return String.join("; ", parts);
      }
      case TELEMETRY:
        return "telemetry path " + String.join(", ", in.silentPaths()) + " is silent while probes of "
            + cloud + " pass";
      case UNCONFIRMED:
        if (failing.isEmpty()) {
          return "vantages see " + cloud + "'s journeys fail, but not yet significantly: too few runs to judge";
        }
        return "only " + vantagesOf(failing) + " see " + cloud + " fail and nobody sees it work: fewer than "
            + quorum + " independent vantages, so it is not confirmed";
      default:
        return cloud + " passes its journeys";
    }
  }

  private String vantagesOf(Set<String> domainKeys) {
    List<String> out = new ArrayList<>();
    domainKeys.forEach(k -> out.addAll(domains.getOrDefault(k, List.of(k))));
    return String.join(", ", out);
  }

  private static String percent(double rate) {
    return String.format(Locale.ROOT, "%.0f%%", rate * 100);
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  private Evidence domainEvidence(String cloud, DomainCounts d, double lower, double now, boolean fails) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("signal", "run-failure-rate");
    f.put("cloud", cloud);
    f.put("vantage", String.join(",", d.vantages()));
    f.put("failedRuns", d.failed());
    f.put("runs", d.runs());
    f.put("recentFailedRuns", d.recent()[ProbeLedger.RUNS_FAILED]);
    f.put("recentRuns", d.recent()[ProbeLedger.RUNS]);
    f.put("lower", round(lower));
    f.put("upper", round(Rates.upper(d.failed(), d.runs())));
    f.put("transportRuns", d.window()[ProbeLedger.RUNS_TRANSPORT]);
    f.put("failing", fails);
    return new Evidence(Evidence.PROBE, "journey runs against " + cloud + " from " + String.join(", ", d.vantages())
        + " failed " + d.failed() + " of " + d.runs() + " in the probe window (lower bound "
        + percent(lower) + ")", f);
  }

  private static Evidence stepEvidence(String cloud, String step, List<DomainCounts> judged) {
    long attempts = 0;
    long failed = 0;
    long transport = 0;
    String lastError = null;
    List<String> from = new ArrayList<>();
    for (DomainCounts d : judged) {
      long[] c = d.steps().get(step);
      if (c == null) {
        continue;
      }
      attempts += c[0];
      failed += c[1];
      transport += c[2];
      if (c[1] > 0) {
        from.addAll(d.vantages());
        if (d.lastErrors().get(step) != null) {
          lastError = d.lastErrors().get(step);
        }
      }
    }
    String[] js = step.split("/", 2);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("signal", "step-failure-rate");
    f.put("cloud", cloud);
    f.put("journey", js[0]);
    f.put("step", js.length > 1 ? js[1] : js[0]);
    f.put("failed", failed);
    f.put("total", attempts);
    f.put("transport", transport);
    f.put("lower", round(Rates.lower(failed, attempts)));
    f.put("vantages", String.join(",", from));
    if (lastError != null) {
      f.put("lastError", lastError);
    }
    return new Evidence(Evidence.PROBE, step + " failed " + failed + " of " + attempts + " from "
        + String.join(", ", from) + (lastError == null ? "" : " (" + lastError + ")"), f);
  }

  /** How many independent failure domains the vantages span. */
  int independent(Set<String> vantageIds) {
    Set<String> keys = new java.util.TreeSet<>();
    for (String id : vantageIds) {
      VantageSpec v = vantages.get(id);
      keys.add(v == null ? "unknown/" + id : v.independenceKey());
    }
    return keys.size();
  }
}
