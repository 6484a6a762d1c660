package dev.tandem.collectors;

import com.google.protobuf.ByteString;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Remembers which spans (trace id + span id) and which delta data points (series + start + time)
 * were counted recently, so that one that arrives twice, from a client's retry or over both
 * telemetry paths, is counted once. Thread-safe; one instance may be shared by every path.
 *
 * <p>Bounded by size and by age: the oldest entries go first when it is full, and entries older
 * than {@code maxAge} are forgotten. A duplicate that arrives after its original was forgotten
 * is counted again; the eviction counters say how often that can have happened. The memory is
 * split into independently locked stripes so that paths rarely wait for each other.
 */
public final class SpanDeduplicator {

  /** Room for the server spans of a busy minute or two. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;

  /** Longer than an OTLP exporter keeps retrying one batch. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);

  private static final int STRIPES = 16;

  private final Stripe[] stripes = new Stripe[STRIPES];
  private final long maxAgeMillis;
  private final Clock clock;
  private final LongAdder hits = new LongAdder();
  private final LongAdder pointHits = new LongAdder();
  private final LongAdder evictionsBySize = new LongAdder();
  private final LongAdder evictionsByAge = new LongAdder();

  private SpanDeduplicator(int maxEntries, Duration maxAge, Clock clock) {
    int perStripe = Math.max(1, (maxEntries + STRIPES - 1) / STRIPES);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe(perStripe);
    }
    this.maxAgeMillis = maxAge.toMillis();
    this.clock = clock;
  }

  /**
   * @param maxEntries how many spans to remember at most (rounded up to a multiple of 16)
   * @param maxAge how long to remember a span
   */
  public static SpanDeduplicator create(int maxEntries, Duration maxAge, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive, got " + maxEntries);
    }
    if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive, got " + maxAge);
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must be set");
    }
    return new SpanDeduplicator(maxEntries, maxAge, clock);
  }

  public static SpanDeduplicator create(Clock clock) {
    return create(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_AGE, clock);
  }

  /**
   * Records the span and says whether it is new. Ids must be 16 and 8 bytes long.
   *
   * @return true the first time a span is seen (count it), false for a remembered duplicate
   */
  public boolean firstSeen(byte[] traceId, byte[] spanId) {
    if (traceId == null || traceId.length != 16 || spanId == null || spanId.length != 8) {
      throw new IllegalArgumentException("need a 16-byte trace id and an 8-byte span id");
    }
    return firstSeen(ByteString.copyFrom(traceId), ByteString.copyFrom(spanId));
  }

  /** As {@link #firstSeen(byte[], byte[])}, without copying protobuf's bytes. */
  boolean firstSeen(ByteString traceId, ByteString spanId) {
    return firstSeen(new SpanKey(readLong(traceId, 0), readLong(traceId, 8), readLong(spanId, 0)), hits);
  }

  /**
   * Records a delta data point and says whether it is new. The point is known by a 192-bit hash
   * of its series (metric, scope, resource and point attributes), start and time, so that its
   * memory costs the same as a span's whatever its attributes.
   */
  boolean firstSeenPoint(byte[] series, long startNanos, long timeNanos) {
    SpanKey key = new SpanKey(SeriesHash.hash(series, 0x9E3779B97F4A7C15L, startNanos, timeNanos),
        SeriesHash.hash(series, 0xC2B2AE3D27D4EB4FL, startNanos, timeNanos),
        SeriesHash.hash(series, 0x165667B19E3779F9L, startNanos, timeNanos));
    return firstSeen(key, pointHits);
  }

  private boolean firstSeen(SpanKey key, LongAdder hitCounter) {
    // Span ids are random (and point keys hashed): their low bits spread keys evenly over the stripes.
    Stripe stripe = stripes[(int) (key.spanId & (STRIPES - 1))];
    long now = clock.millis();
    synchronized (stripe) {
      expire(stripe, now);
      if (stripe.entries.containsKey(key)) {
        hitCounter.increment();
        return false;
      }
      stripe.entries.put(key, now);
      if (stripe.entries.size() > stripe.capacity) {
        Iterator<Long> eldest = stripe.entries.values().iterator();
        eldest.next();
        eldest.remove();
        evictionsBySize.increment();
      }
      return true;
    }
  }

  /** Duplicate spans recognised so far. */
  public long hits() {
    return hits.sum();
  }

  /** Duplicate delta data points recognised so far. */
  public long pointHits() {
    return pointHits.sum();
  }

  /** Spans forgotten early because the memory was full. */
  public long evictionsBySize() {
    return evictionsBySize.sum();
  }

  /** Spans forgotten because they were older than the maximum age. */
  public long evictionsByAge() {
    return evictionsByAge.sum();
  }

  /** Spans and delta points remembered now. */
  public int size() {
    int size = 0;
    for (Stripe stripe : stripes) {
      synchronized (stripe) {
        size += stripe.entries.size();
      }
    }
    return size;
  }

  private void expire(Stripe stripe, long now) {
    Iterator<Map.Entry<SpanKey, Long>> it = stripe.entries.entrySet().iterator();
    while (it.hasNext()) {
      long seenAt = it.next().getValue();
      // Insertion order is age order, so the first young entry ends the scan. A clock that
      // went back leaves entries alone rather than flushing them.
      if (now - seenAt < maxAgeMillis) {
        return;
      }
      it.remove();
      evictionsByAge.increment();
    }
  }

  private static long readLong(ByteString bytes, int offset) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (bytes.byteAt(offset + i) & 0xFF);
    }
    return value;
  }

  private record SpanKey(long traceHigh, long traceLow, long spanId) {}

  private static final class Stripe {
    final int capacity;
    final LinkedHashMap<SpanKey, Long> entries = new LinkedHashMap<>();

    Stripe(int capacity) {
      this.capacity = capacity;
    }
  }
}
