package dev.tandem.engine.judge;

import dev.tandem.engine.observation.ProbeObservation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recent probe outcomes per journey x step x cloud x vantage. Bounded: at most
 * {@link #MAX_SERIES} series; outcomes for a new series past that bound are dropped and counted
 * (the series come from configuration, so the bound is only reached by bad input).
 */
final class ProbeLedger {
  static final int MAX_SERIES = 10_000;
  private static final int BUCKETS = 30;

  private record Key(String journey, String step) {}

  private static final class Series {
    final BucketRing ring;
    String lastError;
    Instant lastAt;
    Instant lastOkAt;
    int streak;
    Instant streakStart;

    Series(long windowMillis) {
      ring = new BucketRing(windowMillis, BUCKETS);
    }
  }

  /**
   * One step's outcomes over the window, from one vantage against one cloud.
   *
   * @param streak consecutive failures up to the latest outcome (0 when the latest passed)
   * @param streakStart when that run of failures began; null without one
   * @param lastOkAt the latest success; null if none is known
   */
  record StepStats(String journey, String step, String vantage, long good, long total,
      String lastError, int streak, Instant streakStart, Instant lastOkAt) {
    long failed() {
      return total - good;
    }

    /**
     * Failing means failing now, not merely failing once: two failures in a row, or a failure
     * on top of a window where most outcomes failed. One lost probe is not a fault.
     */
    boolean failing() {
      return streak >= 2 || (streak >= 1 && failed() * 2 >= total);
    }
  }

  private final long windowMillis;
  /** Series by cloud, then vantage: the classifier reads one cloud x vantage at a time. */
  private final Map<String, Map<String, Map<Key, Series>>> series = new HashMap<>();
  private int count;
  private long dropped;
  private long late;

  ProbeLedger(long windowMillis) {
    this.windowMillis = Math.max(windowMillis, BUCKETS);
  }

  void add(ProbeObservation p, Instant now) {
    Key key = new Key(p.journey(), p.step());
    Map<String, Map<Key, Series>> byVantage = series.get(p.cloud());
    if (byVantage == null) {
      byVantage = new HashMap<>();
      series.put(p.cloud(), byVantage);
    }
    Map<Key, Series> steps = byVantage.get(p.vantage());
    if (steps == null) {
      steps = new HashMap<>();
      byVantage.put(p.vantage(), steps);
    }
    Series s = steps.get(key);
    if (s == null) {
      if (count >= MAX_SERIES) {
        dropped++;
        return;
      }
      s = new Series(windowMillis);
      steps.put(key, s);
      count++;
    }
    if (!s.ring.add(p.ts().toEpochMilli(), now.toEpochMilli(), p.ok() ? 1 : 0, 1)) {
      late++;
      return;
    }
    // Streaks follow time order; a late outcome still counts in the window, not in the streak.
    if (s.lastAt == null || !p.ts().isBefore(s.lastAt)) {
      s.lastAt = p.ts();
      if (p.ok()) {
        s.lastOkAt = p.ts();
        s.streak = 0;
        s.streakStart = null;
      } else {
        s.lastError = p.error();
        if (s.streak++ == 0) {
          s.streakStart = p.ts();
        }
      }
    }
  }

  /** Outcomes against {@code cloud} from {@code vantage} for the given journeys, in the window. */
  List<StepStats> stats(String cloud, String vantage, Set<String> journeys, Instant now) {
    List<StepStats> out = new ArrayList<>();
    long nowMillis = now.toEpochMilli();
    Map<Key, Series> steps = series.getOrDefault(cloud, Map.of()).getOrDefault(vantage, Map.of());
    for (Map.Entry<Key, Series> e : steps.entrySet()) {
      Key k = e.getKey();
      if (!journeys.contains(k.journey)) {
        continue;
      }
      long[] sum = e.getValue().ring.sum(nowMillis);
      if (sum[1] > 0) {
        Series v = e.getValue();
        out.add(new StepStats(k.journey, k.step, vantage, sum[0], sum[1], v.lastError, v.streak,
            v.streakStart, v.lastOkAt));
      }
    }
    out.sort(java.util.Comparator.comparing(StepStats::journey).thenComparing(StepStats::step));
    return out;
  }

  long dropped() {
    return dropped;
  }

  long late() {
    return late;
  }
}
