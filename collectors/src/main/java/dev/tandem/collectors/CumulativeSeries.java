package dev.tandem.collectors;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns cumulative counts (the OpenTelemetry SDK's default temporality) into increases, one
 * series at a time. Thread-safe; one instance may be shared by both paths, and then a series
 * that arrives over both is counted once: the second copy of a point is not newer than the
 * first, so it adds nothing. A client's retry is absorbed the same way.
 *
 * <ul>
 *   <li>A reset (a new start time, or a count that went down) starts the series afresh: the
 *       whole new count is the increase.
 *   <li>A point not newer than the last one seen adds nothing (a retry or the other path's copy).
 *   <li>The first point of a series counts whole only if the series started after this memory
 *       began watching and after its last eviction; otherwise part of its count may be history
 *       that was counted before (or never seen), so it only sets the baseline. Undercounting
 *       briefly is preferred to counting twice.
 *   <li>Bounded: at most {@code maxSeries} series, the least recently updated evicted first and
 *       counted in {@link #evictions()}.
 * </ul>
 */
public final class CumulativeSeries {

  /** Enough for every route of a few hundred services, with status codes. */
  public static final int DEFAULT_MAX_SERIES = 20_000;

  private final int maxSeries;
  private final Clock clock;
  private final long watchingSinceNanos;
  private final LinkedHashMap<Object, Last> series;
  private long lastEvictionNanos;
  private final LongAdder evictions = new LongAdder();
  private final LongAdder resets = new LongAdder();
  private final LongAdder stalePoints = new LongAdder();

  private CumulativeSeries(int maxSeries, Clock clock) {
    this.maxSeries = maxSeries;
    this.clock = clock;
    this.watchingSinceNanos = nanos(clock.instant());
    this.series = new LinkedHashMap<>(Math.min(maxSeries, 1024), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Object, Last> eldest) {
        if (size() <= CumulativeSeries.this.maxSeries) {
          return false;
        }
        evictions.increment();
        lastEvictionNanos = nanos(CumulativeSeries.this.clock.instant());
        return true;
      }
    };
  }

  public static CumulativeSeries create(int maxSeries, Clock clock) {
    if (maxSeries < 1) {
      throw new IllegalArgumentException("maxSeries must be positive, got " + maxSeries);
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must be set");
    }
    return new CumulativeSeries(maxSeries, clock);
  }

  public static CumulativeSeries create(Clock clock) {
    return create(DEFAULT_MAX_SERIES, clock);
  }

  /**
   * The increase of one cumulative series since its last point.
   *
   * @param seriesKey identifies the series (equals and hashCode); anything immutable
   * @param startNanos the point's start time, Unix epoch nanoseconds; 0 if unknown
   * @param timeNanos the point's time, Unix epoch nanoseconds
   * @param count the cumulative count
   * @return how much to count now, never negative
   */
  long increase(Object seriesKey, long startNanos, long timeNanos, long count) {
    if (count < 0) {
      return 0;
    }
    synchronized (series) {
      Last last = series.get(seriesKey);
      if (last == null) {
        // Decided before the put, whose eviction of another series says nothing about this one.
        boolean startedWhileWatching = startNanos != 0 && startNanos >= watchingSinceNanos
            && startNanos >= lastEvictionNanos;
        series.put(seriesKey, new Last(startNanos, timeNanos, count));
        return startedWhileWatching ? count : 0;
      }
      if (timeNanos <= last.timeNanos) {
        stalePoints.increment();
        return 0;
      }
      boolean reset = (startNanos != 0 && startNanos != last.startNanos) || count < last.count;
      long increase = reset ? count : count - last.count;
      if (reset) {
        resets.increment();
      }
      last.startNanos = startNanos;
      last.timeNanos = timeNanos;
      last.count = count;
      return increase;
    }
  }

  /** Series forgotten because the memory was full. */
  public long evictions() {
    return evictions.sum();
  }

  /** Series that restarted (new start time or a count that went down). */
  public long resets() {
    return resets.sum();
  }

  /** Points ignored because they were not newer than the series' last one. */
  public long stalePoints() {
    return stalePoints.sum();
  }

  /** Series remembered now. */
  public int size() {
    synchronized (series) {
      return series.size();
    }
  }

  private static long nanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  private static final class Last {
    long startNanos;
    long timeNanos;
    long count;

    Last(long startNanos, long timeNanos, long count) {
      this.startNanos = startNanos;
      this.timeNanos = timeNanos;
      this.count = count;
    }
  }
}
