package dev.tandem.engine.budget;

import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The counts of one SLO in one cloud: one {@link RollingCounter} per burn-rate window and one for
 * the SLO window (or a calendar accumulator), fed with events, or with closed time slices for the
 * timeslice budgeting methods. Memory is fixed at creation (see {@link #heapBytes()}). Not
 * thread-safe: the engine synchronises.
 */
final class SloSeries {
  static final int WINDOW_BUCKETS = 30;
  static final int MAX_PERIOD_BUCKETS = 720;
  /** RatioTimeslices keeps slice ratios in fixed point, exact to one millionth. */
  static final long RATIO_SCALE = 1_000_000;

  final SloSpec spec;
  final String cloud;
  final List<BurnRateTier> tiers;
  private final Map<Duration, RollingCounter> windows = new LinkedHashMap<>();
  private final RollingCounter period;
  private final double budget;
  private final double[] thresholds;
  private final boolean[] firing;
  /** Per tier: name, severity, long, short, factor, threshold, exhaustion, formatted once. */
  private final String[][] labels;
  private final Duration[] windowKeys;
  private final String[] windowNames;
  private final RollingCounter[] windowCounters;
  private final int[] longIndex;
  private final int[] shortIndex;
  // Calendar window: counts since the current period began.
  private Instant periodStart;
  private Instant periodEnd;
  private long calendarGood;
  private long calendarTotal;
  // Time slices: the open slice.
  private long sliceIndex = Long.MIN_VALUE;
  private long sliceGood;
  private long sliceTotal;
  long late;
  long excluded;
  /**
   * Since when this series has been watching (engine start, or as restored): windows that reach
   * further back than this are only partly covered, and their burn rates count the unseen part
   * as neither good nor bad but as not there (see {@link #coverage}).
   */
  private long observingSince;
  /** When the latest event was counted; {@link Long#MIN_VALUE} before the first. */
  private long lastEventAt = Long.MIN_VALUE;
  /** Whether the no-data alert fires (no events for {@link #NO_DATA_WINDOW}). */
  private boolean noDataFiring;

  /** The no-data rule of the generated Prometheus rules: no events for this long is a ticket. */
  public static final Duration NO_DATA_WINDOW = Duration.ofMinutes(10);
  static final String NO_DATA_TIER = "no-data";

  SloSeries(SloSpec spec, String cloud) {
    this(spec, cloud, Instant.EPOCH);
  }

  SloSeries(SloSpec spec, String cloud, Instant observingSince) {
    this.spec = spec;
    this.cloud = cloud;
    this.observingSince = observingSince.toEpochMilli();
    this.tiers = BurnRateTier.forPeriod(spec.window().duration());
    this.budget = spec.budget().doubleValue();
    this.thresholds = new double[tiers.size()];
    this.firing = new boolean[tiers.size()];
    this.labels = new String[tiers.size()][];
    for (int i = 0; i < tiers.size(); i++) {
      BurnRateTier t = tiers.get(i);
      thresholds[i] = t.threshold(spec.budget()).doubleValue();
      windows.computeIfAbsent(t.longWindow(), d -> new RollingCounter(d.toMillis(), WINDOW_BUCKETS));
      windows.computeIfAbsent(t.shortWindow(), d -> new RollingCounter(d.toMillis(), WINDOW_BUCKETS));
    }
    this.windowKeys = windows.keySet().toArray(new Duration[0]);
    this.windowNames = new String[windowKeys.length];
    this.windowCounters = new RollingCounter[windowKeys.length];
    for (int w = 0; w < windowKeys.length; w++) {
      windowNames[w] = Durations.format(windowKeys[w]);
      windowCounters[w] = windows.get(windowKeys[w]);
    }
    this.longIndex = new int[tiers.size()];
    this.shortIndex = new int[tiers.size()];
    for (int i = 0; i < tiers.size(); i++) {
      BurnRateTier t = tiers.get(i);
      longIndex[i] = java.util.Arrays.asList(windowKeys).indexOf(t.longWindow());
      shortIndex[i] = java.util.Arrays.asList(windowKeys).indexOf(t.shortWindow());
    }
    for (int i = 0; i < tiers.size(); i++) {
      BurnRateTier t = tiers.get(i);
      labels[i] = new String[] {t.name(), t.severity(), Durations.format(t.longWindow()),
          Durations.format(t.shortWindow()), t.factor().toPlainString(), t.threshold(spec.budget()).toPlainString(),
          exhaustion(t)};
    }
    long periodMillis = spec.window().duration().toMillis();
    int buckets = (int) Math.max(WINDOW_BUCKETS, Math.min(MAX_PERIOD_BUCKETS, periodMillis / 60_000));
    this.period = spec.window().rolling() ? new RollingCounter(periodMillis, buckets) : null;
  }

  /** Approximate heap held by this series, for the documentation of bounds. */
  long heapBytes() {
    long slots = 0;
    for (RollingCounter c : windows.values()) {
      slots += c.buckets();
    }
    if (period != null) {
      slots += period.buckets();
    }
    return slots * 16 + 64L * (windows.size() + 1) + 256;
  }

  /**
   * Adds events stamped {@code at}, seen at {@code now}. A stamp after {@code now} counts as now:
   * the sender's clock does not decide which time slice is open.
   */
  void add(Instant at, long good, long total, Instant now) {
    if (at.isAfter(now)) {
      at = now;
    }
    lastEventAt = Math.max(lastEventAt, now.toEpochMilli());
    // Events from before this series began watching (a backfill, a late batch) show the traffic
    // was there: the windows are covered from the earliest of them.
    observingSince = Math.min(observingSince, at.toEpochMilli());
    if (spec.method() == BudgetingMethod.OCCURRENCES) {
      record(at, good, total, now);
      return;
    }
    long sliceMillis = spec.timeSliceWindow().toMillis();
    long index = Math.floorDiv(at.toEpochMilli(), sliceMillis);
    closeSlicesBefore(Math.floorDiv(now.toEpochMilli(), sliceMillis), now);
    if (sliceIndex == Long.MIN_VALUE || index > sliceIndex) {
      closeSlicesBefore(index, now);
      sliceIndex = index;
    } else if (index < sliceIndex) {
      late++;
      return;
    }
    sliceGood += good;
    sliceTotal += total;
  }

  /** Closes the open slice when time has moved past it. */
  private void closeSlicesBefore(long index, Instant now) {
    if (sliceIndex == Long.MIN_VALUE || index <= sliceIndex) {
      return;
    }
    if (sliceTotal > 0) {
      long sliceMillis = spec.timeSliceWindow().toMillis();
      Instant end = Instant.ofEpochMilli((sliceIndex + 1) * sliceMillis - 1);
      double ratio = (double) sliceGood / sliceTotal;
      if (spec.method() == BudgetingMethod.TIMESLICES) {
        boolean good = ratio >= spec.timeSliceTarget().doubleValue();
        record(end, good ? 1 : 0, 1, now);
      } else {
        record(end, Math.round(ratio * RATIO_SCALE), RATIO_SCALE, now);
      }
    }
    sliceIndex = index;
    sliceGood = 0;
    sliceTotal = 0;
  }

  private void record(Instant at, long good, long total, Instant now) {
    long atMillis = at.toEpochMilli();
    long nowMillis = now.toEpochMilli();
    boolean kept = false;
    for (RollingCounter c : windows.values()) {
      kept |= c.add(atMillis, nowMillis, good, total);
    }
    if (period != null) {
      kept |= period.add(atMillis, nowMillis, good, total);
    } else {
      rollCalendar(now);
      if (!at.isBefore(periodStart) && at.isBefore(periodEnd)) {
        calendarGood += good;
        calendarTotal += total;
        kept = true;
      }
    }
    if (!kept) {
      late++;
    }
  }

  private void rollCalendar(Instant now) {
    if (periodEnd != null && now.isBefore(periodEnd) && !now.isBefore(periodStart)) {
      return;
    }
    SloWindow w = spec.window();
    ZonedDateTime start = w.start().atZone(w.zone());
    ZonedDateTime nowZ = now.atZone(w.zone());
    // Step whole periods from the anchor to the one holding now (forwards or backwards).
    long steps = w.unit().between(start, nowZ) / w.count();
    ZonedDateTime s = start.plus(steps * w.count(), w.unit());
    while (s.isAfter(nowZ)) {
      s = s.minus(w.count(), w.unit());
    }
    while (!s.plus(w.count(), w.unit()).isAfter(nowZ)) {
      s = s.plus(w.count(), w.unit());
    }
    periodStart = s.toInstant();
    periodEnd = s.plus(w.count(), w.unit()).toInstant();
    calendarGood = 0;
    calendarTotal = 0;
  }

  /** The status now; {@code transitions} receives tiers whose firing state changed. */
  SloStatus status(Instant now, List<SloAlertChange> transitions) {
    if (spec.method() != BudgetingMethod.OCCURRENCES && sliceIndex != Long.MIN_VALUE) {
      closeSlicesBefore(Math.floorDiv(now.toEpochMilli(), spec.timeSliceWindow().toMillis()), now);
    }
    long nowMillis = now.toEpochMilli();
    long good;
    long total;
    if (period != null) {
      good = period.good(nowMillis);
      total = period.total(nowMillis);
    } else {
      rollCalendar(now);
      good = calendarGood;
      total = calendarTotal;
    }
    long bad = total - good;
    double scale = spec.method() == BudgetingMethod.RATIO_TIMESLICES ? RATIO_SCALE : 1;
    Double sli = total == 0 ? null : (double) good / total;
    double periodCoverage = periodCoverage(nowMillis);
    double remaining = total == 0 ? 1.0 : 1.0 - ((double) bad / total) / budget;
    double remainingEvents = (budget * total - bad) / scale;

    Map<String, Double> burn = new LinkedHashMap<>();
    double[][] ratios = new double[windowKeys.length][];
    for (int w = 0; w < windowKeys.length; w++) {
      long t = windowCounters[w].total(nowMillis);
      long g = windowCounters[w].good(nowMillis);
      double c = coverage(nowMillis, windowKeys[w].toMillis());
      ratios[w] = new double[] {t - g, t, c};
      burn.put(windowNames[w], t == 0 ? 0.0 : ((double) (t - g) / t) * c / budget);
    }
    List<SloStatus.TierState> states = new ArrayList<>(tiers.size());
    for (int i = 0; i < tiers.size(); i++) {
      double[] l = ratios[longIndex[i]];
      double[] s = ratios[shortIndex[i]];
      // A window only partly watched is judged as if the unseen part carried the same traffic, all
      // good: a burn rate is budget spent over the window, and what was not seen was not spent.
      boolean fire = over(l, thresholds[i]) && over(s, thresholds[i])
          && LowTrafficGuard.exceeds((long) (l[0] / scale), (long) (l[1] / scale), thresholds[i] / l[2]);
      String[] label = labels[i];
      if (fire != firing[i]) {
        firing[i] = fire;
        transitions.add(new SloAlertChange(now, spec.name(), cloud, label[0], label[1], fire,
            burnOf(l), burnOf(s), remaining));
      }
      states.add(new SloStatus.TierState(label[0], label[1], label[2], label[3], label[4], label[5], label[6],
          burnOf(l), burnOf(s), fire));
    }
    // The no-data rule fires for a series that had events and went silent (a dark cloud, a broken
    // pipeline); one that never had any (a journey that never runs against this cloud) is reported
    // as without data in its status, not alerted on.
    boolean noDataNow = lastEventAt != Long.MIN_VALUE && nowMillis - lastEventAt > NO_DATA_WINDOW.toMillis();
    if (noDataNow != noDataFiring) {
      noDataFiring = noDataNow;
      transitions.add(new SloAlertChange(now, spec.name(), cloud, NO_DATA_TIER, BurnRateTier.TICKET, noDataNow,
          0.0, 0.0, remaining));
    }
    Duration exhaustion = null;
    double fastBurn = burnOf(ratios[longIndex[0]]);
    if (remaining <= 0) {
      exhaustion = Duration.ZERO;
    } else if (fastBurn > 0) {
      exhaustion = Duration.ofMillis((long) (remaining * spec.window().duration().toMillis() / fastBurn));
    }
    return new SloStatus(spec.name(), cloud, spec.target().toPlainString(),
        Durations.describe(spec.window()), spec.method().name(), good / (long) scale, total / (long) scale,
        sli, remaining, remainingEvents, burn, states, exhaustion, excluded, periodCoverage,
        lastEventAt == Long.MIN_VALUE ? null : Instant.ofEpochMilli(lastEventAt),
        lastEventAt == Long.MIN_VALUE || noDataFiring);
  }

  /** The share of the last {@code windowMillis} this series has watched (0 to 1). */
  private double coverage(long nowMillis, long windowMillis) {
    if (windowMillis <= 0) {
      return 1.0;
    }
    return Math.min(1.0, Math.max(0.0, (double) (nowMillis - observingSince) / windowMillis));
  }

  /** The share of the SLO period so far that this series has watched. */
  private double periodCoverage(long nowMillis) {
    if (period != null) {
      return coverage(nowMillis, spec.window().duration().toMillis());
    }
    long start = periodStart == null ? nowMillis : periodStart.toEpochMilli();
    long elapsed = nowMillis - start;
    if (elapsed <= 0) {
      return 1.0;
    }
    return Math.min(1.0, Math.max(0.0, (double) (nowMillis - Math.max(start, observingSince)) / elapsed));
  }

  /** When the latest event was counted, or null. */
  Instant lastEventAt() {
    return lastEventAt == Long.MIN_VALUE ? null : Instant.ofEpochMilli(lastEventAt);
  }

  private String exhaustion(BurnRateTier tier) {
    long millis = (long) (spec.window().duration().toMillis() / tier.factor().doubleValue());
    // Rounded to what a person reads on an alert: minutes, hours or days.
    long unit = millis >= 86_400_000 ? 3_600_000 : 60_000;
    return Durations.format(Duration.ofMillis(Math.max(unit, Math.round((double) millis / unit) * unit)));
  }

  /** Burn rate of {bad, total, coverage}. */
  private double burnOf(double[] badTotal) {
    return badTotal[1] == 0 ? 0.0 : (badTotal[0] / badTotal[1]) * badTotal[2] / budget;
  }

  private static boolean over(double[] badTotal, double threshold) {
    return badTotal[1] > 0 && (badTotal[0] / badTotal[1]) * badTotal[2] > threshold;
  }

  boolean firing(int tier) {
    return firing[tier];
  }

  /** Snapshot: every counter's state, the calendar accumulator and the open slice. */
  Map<String, Object> snapshot() {
    Map<String, Object> s = new LinkedHashMap<>();
    Map<String, long[]> w = new LinkedHashMap<>();
    windows.forEach((d, c) -> w.put(Long.toString(d.toMillis()), c.state()));
    s.put("windows", w);
    if (period != null) {
      s.put("period", period.state());
    } else if (periodStart != null) {
      s.put("calendar", new long[] {periodStart.toEpochMilli(), periodEnd.toEpochMilli(), calendarGood, calendarTotal});
    }
    s.put("slice", new long[] {sliceIndex, sliceGood, sliceTotal});
    boolean[] f = firing.clone();
    s.put("firing", f);
    s.put("late", late);
    s.put("excluded", excluded);
    s.put("observingSince", observingSince);
    s.put("lastEventAt", lastEventAt);
    s.put("noDataFiring", noDataFiring);
    return s;
  }

  @SuppressWarnings("unchecked")
  void restore(Map<String, Object> s) {
    Map<String, Object> w = (Map<String, Object>) s.get("windows");
    windows.forEach((d, c) -> {
      Object state = w.get(Long.toString(d.toMillis()));
      if (state != null) {
        c.restore(longs(state));
      }
    });
    if (period != null && s.get("period") != null) {
      period.restore(longs(s.get("period")));
    }
    if (period == null && s.get("calendar") != null) {
      long[] c = longs(s.get("calendar"));
      periodStart = Instant.ofEpochMilli(c[0]);
      periodEnd = Instant.ofEpochMilli(c[1]);
      calendarGood = c[2];
      calendarTotal = c[3];
    }
    long[] slice = longs(s.get("slice"));
    sliceIndex = slice[0];
    sliceGood = slice[1];
    sliceTotal = slice[2];
    Object f = s.get("firing");
    if (f instanceof boolean[] b) {
      System.arraycopy(b, 0, firing, 0, Math.min(b.length, firing.length));
    } else if (f instanceof List<?> list) {
      for (int i = 0; i < Math.min(list.size(), firing.length); i++) {
        firing[i] = Boolean.TRUE.equals(list.get(i));
      }
    }
    late = ((Number) s.getOrDefault("late", 0L)).longValue();
    excluded = ((Number) s.getOrDefault("excluded", 0L)).longValue();
    // A snapshot from before coverage was kept: its windows count as watched.
    observingSince = s.get("observingSince") instanceof Number n ? Math.min(n.longValue(), observingSince)
        : Long.MIN_VALUE / 2;
    lastEventAt = s.get("lastEventAt") instanceof Number n ? n.longValue() : lastEventAt;
    noDataFiring = Boolean.TRUE.equals(s.get("noDataFiring"));
  }

  private static long[] longs(Object o) {
    if (o instanceof long[] a) {
      return a;
    }
    List<?> list = (List<?>) o;
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) list.get(i)).longValue();
    }
    return out;
  }

}
