package dev.tandem.engine.judge;

import java.util.Arrays;

/**
 * A few counters over a rolling window, kept as a fixed ring of time buckets: memory is
 * {@code buckets x (width + 1)} longs whatever the traffic, an update is O(1), a sum O(buckets).
 * A sum can cover the whole window or only its most recent buckets, so one ring answers for a
 * long and a short window alike. Events older than the window are refused (the caller counts
 * them); events stamped after {@code now} go to the newest bucket. Not thread-safe.
 */
final class CountRing {
  private final long bucketMillis;
  private final int buckets;
  private final int width;
  private final long[] epoch;
  private final long[] counts;

  CountRing(long windowMillis, int buckets, int width) {
    if (buckets < 1 || width < 1 || windowMillis < buckets) {
      throw new IllegalArgumentException("need windowMillis >= buckets >= 1 and width >= 1");
    }
    this.bucketMillis = Math.max(1, windowMillis / buckets);
    this.buckets = buckets;
    this.width = width;
    this.epoch = new long[buckets];
    this.counts = new long[buckets * width];
    Arrays.fill(epoch, Long.MIN_VALUE);
  }

  long bucketMillis() {
    return bucketMillis;
  }

  /** How many buckets span {@code millis} (at least 1, at most the whole ring). */
  int bucketsFor(long millis) {
    return (int) Math.max(1, Math.min(buckets, (millis + bucketMillis - 1) / bucketMillis));
  }

  /** Adds {@code delta} to counter {@code counter} at {@code atMillis}; false when too old. */
  boolean add(long atMillis, long nowMillis, int counter, long delta) {
    long nowBucket = Math.floorDiv(nowMillis, bucketMillis);
    long bucket = Math.min(Math.floorDiv(atMillis, bucketMillis), nowBucket);
    if (bucket <= nowBucket - buckets) {
      return false;
    }
    int slot = (int) Math.floorMod(bucket, (long) buckets);
    if (epoch[slot] != bucket) {
      epoch[slot] = bucket;
      Arrays.fill(counts, slot * width, slot * width + width, 0L);
    }
    counts[slot * width + counter] += delta;
    return true;
  }

  /**
   * Adds the counters of the last {@code lastBuckets} buckets up to {@code nowMillis} into
   * {@code into} (which must have {@code width} slots).
   */
  void sumInto(long nowMillis, int lastBuckets, long[] into) {
    long nowBucket = Math.floorDiv(nowMillis, bucketMillis);
    long oldest = nowBucket - Math.min(lastBuckets, buckets);
    for (int i = 0; i < buckets; i++) {
      long e = epoch[i];
      if (e > oldest && e <= nowBucket) {
        int base = i * width;
        for (int c = 0; c < width; c++) {
          into[c] += counts[base + c];
        }
      }
    }
  }

  /** Whether anything was counted in the last {@code lastBuckets} buckets. */
  boolean any(long nowMillis, int lastBuckets) {
    long nowBucket = Math.floorDiv(nowMillis, bucketMillis);
    long oldest = nowBucket - Math.min(lastBuckets, buckets);
    for (int i = 0; i < buckets; i++) {
      if (epoch[i] > oldest && epoch[i] <= nowBucket) {
        return true;
      }
    }
    return false;
  }
}
