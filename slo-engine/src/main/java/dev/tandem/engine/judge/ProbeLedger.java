package dev.tandem.engine.judge;

import dev.tandem.engine.observation.ProbeObservation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Probe outcomes as counts over time, per cloud x vantage x journey (journey runs) and per step:
 * what the classifier turns into rates with confidence bounds. Nothing here remembers "the last
 * run": every figure is a count over a window.
 *
 * <ul>
 *   <li>Runs: a run is counted when its first step arrives and counted failed when one of its
 *       critical steps fails (a step with {@code critical: false} never fails its run). Counted
 *       over the probe window (recent part included) and over the longer vantage window.
 *   <li>Steps: attempts, failures and transport failures (no answer at all) per step over the
 *       probe window.
 * </ul>
 *
 * <p>Bounded: at most {@link #MAX_SERIES} journey and step series together (clouds and vantages
 * come from the configuration: the engine drops results from others before they get here);
 * results for a new series past that bound are dropped and counted. Results older than the probe window are late: dropped and counted.
 * Not thread-safe: the engine synchronises.
 */
final class ProbeLedger {
  static final int MAX_SERIES = 10_000;
  static final int BUCKETS = 30;
  /** Runs that may be in flight at once per journey x cloud x vantage (overlapping schedules). */
  static final int OPEN_RUNS = 8;

  // Run counters (probe window).
  static final int RUNS = 0;
  static final int RUNS_FAILED = 1;
  static final int RUNS_TRANSPORT = 2;
  static final int STEPS_OK = 3;
  static final int STEPS_FAILED = 4;
  static final int RUN_WIDTH = 5;
  // Step counters (probe window).
  static final int ATTEMPTS = 0;
  static final int FAILED = 1;
  static final int TRANSPORT = 2;
  static final int STEP_WIDTH = 3;

  private static final class OpenRun {
    String id;
    int hash;
    long startMillis;
    long stepMask;
    boolean failed;
  }

  private static final class StepSeries {
    final CountRing ring;
    /** "journey/step": the step's name in evidence and in the classifier's maps. */
    final String key;
    /** The step's place in its journey, as runs report steps (0 = the journey's entry). */
    final int index;
    boolean critical = true;
    String lastError;

    StepSeries(long windowMillis, String key, int index) {
      ring = new CountRing(windowMillis, BUCKETS, STEP_WIDTH);
      this.key = key;
      this.index = index;
    }

    long bit() {
      return index < 64 ? 1L << index : 0;
    }
  }

  private static final class JourneySeries {
    final CountRing runs;
    final CountRing longRuns;
    final Map<String, StepSeries> steps = new HashMap<>();
    final OpenRun[] open = new OpenRun[OPEN_RUNS];
    int nextSlot;
    /** The journey's entry (its first step, as runs report them), "journey/step". */
    String entry;

    JourneySeries(long windowMillis, long longWindowMillis) {
      runs = new CountRing(windowMillis, BUCKETS, RUN_WIDTH);
      longRuns = new CountRing(longWindowMillis, BUCKETS, 2);
    }
  }

  /**
   * One critical step's counts against one cloud from one vantage: only steps that failed in the
   * probe window are listed (the others are in the journey totals).
   *
   * @param key {@code journey/step}
   */
  record StepCounts(String key, long attempts, long failed, long transport, long recentAttempts,
      long recentFailed, String lastError) {}

  /**
   * One vantage's counts against one cloud, over the domain's journeys.
   *
   * @param window run counters over the probe window ({@link #RUNS}, {@link #RUNS_FAILED}, ...;
   *     {@link #STEPS_OK} and {@link #STEPS_FAILED} count critical steps)
   * @param recent the same over the recent part of it
   * @param longRuns runs and failed runs over the vantage window
   * @param steps the critical steps that failed in the probe window
   * @param entries the entry step ({@code journey/step}) of each journey run in the window
   */
  record VantageCounts(String vantage, long[] window, long[] recent, long[] longRuns,
      List<StepCounts> steps, List<String> entries) {
    boolean any() {
      return window[RUNS] > 0;
    }
  }

  private final long windowMillis;
  private final long recentMillis;
  private final long longWindowMillis;
  /** Series by cloud, then vantage, then journey. */
  private final Map<String, Map<String, Map<String, JourneySeries>>> series = new HashMap<>();
  private int count;
  private long dropped;
  private long late;

  ProbeLedger(long windowMillis, long recentMillis, long longWindowMillis) {
    this.windowMillis = Math.max(windowMillis, BUCKETS);
    this.recentMillis = Math.max(1, Math.min(recentMillis, this.windowMillis));
    this.longWindowMillis = Math.max(longWindowMillis, this.windowMillis);
  }

  /** Counts one step result seen at {@code now}; stamps after {@code now} count as now. */
  void add(ProbeObservation p, Instant now) {
    long nowMillis = now.toEpochMilli();
    long at = Math.min(p.ts().toEpochMilli(), nowMillis);
    JourneySeries j = journey(p.cloud(), p.vantage(), p.journey());
    if (j == null) {
      dropped++;
      return;
    }
    StepSeries s = j.steps.get(p.step());
    if (s == null) {
      if (count >= MAX_SERIES) {
        dropped++;
        return;
      }
      s = new StepSeries(windowMillis, p.journey() + "/" + p.step(), j.steps.size());
      j.steps.put(p.step(), s);
      if (s.index == 0) {
        j.entry = s.key;
      }
      count++;
    }
    boolean transport = !p.ok() && transport(p.error());
    if (!(p.ok() ? s.ring.add(at, nowMillis, ATTEMPTS, 1) : s.ring.add(at, nowMillis, ATTEMPTS, 1, FAILED, 1))) {
      late++;
      return;
    }
    s.critical = p.critical();
    if (!p.ok()) {
      if (transport) {
        s.ring.add(at, nowMillis, TRANSPORT, 1);
      }
      s.lastError = p.error();
    }
    OpenRun run = openRun(j, p, s.bit(), at, nowMillis);
    if (p.critical()) {
      j.runs.add(at, nowMillis, p.ok() ? STEPS_OK : STEPS_FAILED, 1);
    }
    if (!p.ok() && p.critical() && !run.failed) {
      run.failed = true;
      j.runs.add(run.startMillis, nowMillis, RUNS_FAILED, 1);
      j.longRuns.add(run.startMillis, nowMillis, RUNS_FAILED, 1);
      if (transport) {
        j.runs.add(run.startMillis, nowMillis, RUNS_TRANSPORT, 1);
      }
    }
  }

  private JourneySeries journey(String cloud, String vantage, String journey) {
    Map<String, Map<String, JourneySeries>> byVantage = series.get(cloud);
    if (byVantage == null) {
      byVantage = new HashMap<>();
      series.put(cloud, byVantage);
    }
    Map<String, JourneySeries> byJourney = byVantage.get(vantage);
    if (byJourney == null) {
      byJourney = new HashMap<>();
      byVantage.put(vantage, byJourney);
    }
    JourneySeries j = byJourney.get(journey);
    if (j == null) {
      // Journeys count towards the bound as steps do: a journey is at least one step.
      if (count >= MAX_SERIES) {
        return null;
      }
      j = new JourneySeries(windowMillis, longWindowMillis);
      byJourney.put(journey, j);
      count++;
    }
    return j;
  }

  /**
   * The run this step belongs to: the open run with its id, unless that run already had this step
   * (a run id used again is a new run); else a new run, counted now.
   */
  private static OpenRun openRun(JourneySeries j, ProbeObservation p, long bit, long at, long nowMillis) {
    String id = p.run();
    int hash = id.hashCode();
    for (OpenRun r : j.open) {
      if (r != null && r.hash == hash && (r.stepMask & bit) == 0 && r.id.equals(id)) {
        r.stepMask |= bit;
        return r;
      }
    }
    OpenRun r = j.open[j.nextSlot];
    if (r == null) {
      r = new OpenRun();
      j.open[j.nextSlot] = r;
    }
    j.nextSlot = (j.nextSlot + 1) % OPEN_RUNS;
    r.id = id;
    r.hash = hash;
    r.startMillis = at;
    r.stepMask = bit;
    r.failed = false;
    j.runs.add(at, nowMillis, RUNS, 1);
    j.longRuns.add(at, nowMillis, RUNS, 1);
    return r;
  }

  /**
   * Whether a failed step got no answer at all (refused, reset, timed out, closed): the runner's
   * wording for transport failures ({@code TransportFailure} in synthetics), and the usual words
   * of other probe writers.
   */
  static boolean transport(String error) {
    if (error == null) {
      return false;
    }
    String e = error.toLowerCase(Locale.ROOT);
    return e.contains("refused") || e.contains("reset") || e.contains("timeout") || e.contains("timed out")
        || e.contains("closed before") || e.contains("connection closed") || e.contains("no route")
        || e.contains("unknown host") || e.contains("unreachable") || e.startsWith("connect ")
        || e.startsWith("transport error") || e.startsWith("tls:");
  }

  /** Counts against {@code cloud} from {@code vantage} over the given journeys, at {@code now}. */
  VantageCounts counts(String cloud, String vantage, Set<String> journeys, Instant now) {
    long nowMillis = now.toEpochMilli();
    long[] window = new long[RUN_WIDTH];
    long[] recent = new long[RUN_WIDTH];
    long[] longRuns = new long[2];
    List<StepCounts> steps = new ArrayList<>();
    List<String> entries = new ArrayList<>();
    Map<String, JourneySeries> byJourney = series.getOrDefault(cloud, Map.of()).getOrDefault(vantage, Map.of());
    for (Map.Entry<String, JourneySeries> e : byJourney.entrySet()) {
      if (!journeys.contains(e.getKey())) {
        continue;
      }
      JourneySeries j = e.getValue();
      long failedBefore = window[STEPS_FAILED];
      j.runs.sumInto(nowMillis, BUCKETS, window);
      if (j.runs.total(nowMillis, RUNS) == 0) {
        continue;
      }
      j.runs.sumInto(nowMillis, j.runs.bucketsFor(recentMillis), recent);
      j.longRuns.sumInto(nowMillis, BUCKETS, longRuns);
      if (j.entry != null) {
        entries.add(j.entry);
      }
      if (window[STEPS_FAILED] == failedBefore) {
        continue;  // no critical step failed: the journey's totals say all there is
      }
      for (StepSeries step : j.steps.values()) {
        if (!step.critical || step.ring.total(nowMillis, FAILED) == 0) {
          continue;
        }
        long[] w = new long[STEP_WIDTH];
        long[] r = new long[STEP_WIDTH];
        step.ring.sumInto(nowMillis, BUCKETS, w);
        step.ring.sumInto(nowMillis, step.ring.bucketsFor(recentMillis), r);
        steps.add(new StepCounts(step.key, w[ATTEMPTS], w[FAILED], w[TRANSPORT], r[ATTEMPTS], r[FAILED],
            step.lastError));
      }
    }
    steps.sort(java.util.Comparator.comparing(StepCounts::key));
    return new VantageCounts(vantage, window, recent, longRuns, steps, entries);
  }

  long dropped() {
    return dropped;
  }

  long late() {
    return late;
  }
}
