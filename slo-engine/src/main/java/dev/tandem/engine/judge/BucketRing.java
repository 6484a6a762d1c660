package dev.tandem.engine.judge;

/**
 * Good/total counts over a rolling window, kept as a fixed ring of time buckets: memory is
 * {@code 3 x buckets} longs whatever the traffic, an update is O(1), a query O(buckets).
 * Events older than the window are dropped (counted by the caller if it cares); events in the
 * future are put in the newest bucket. Not thread-safe: the owner synchronises.
 */
final class BucketRing {
  private final long bucketMillis;
  private final long[] epoch;
  private final long[] good;
  private final long[] total;

  BucketRing(long windowMillis, int buckets) {
    if (buckets < 1 || windowMillis < buckets) {
      throw new IllegalArgumentException("need windowMillis >= buckets >= 1");
    }
    this.bucketMillis = Math.max(1, windowMillis / buckets);
    this.epoch = new long[buckets];
    this.good = new long[buckets];
    this.total = new long[buckets];
    java.util.Arrays.fill(epoch, Long.MIN_VALUE);
  }

  /** Adds counts at {@code atMillis}; returns false when the event fell out of the window. */
  boolean add(long atMillis, long nowMillis, long goodCount, long totalCount) {
    long nowBucket = Math.floorDiv(nowMillis, bucketMillis);
    long bucket = Math.min(Math.floorDiv(atMillis, bucketMillis), nowBucket);
    if (bucket <= nowBucket - epoch.length) {
      return false;
    }
    int slot = (int) Math.floorMod(bucket, (long) epoch.length);
    if (epoch[slot] != bucket) {
      epoch[slot] = bucket;
      good[slot] = 0;
      total[slot] = 0;
    }
    good[slot] += goodCount;
    total[slot] += totalCount;
    return true;
  }

  /** Good and total over the window that ends at {@code nowMillis}: {@code [good, total]}. */
  long[] sum(long nowMillis) {
    long nowBucket = Math.floorDiv(nowMillis, bucketMillis);
    long g = 0;
    long t = 0;
    for (int i = 0; i < epoch.length; i++) {
      if (epoch[i] > nowBucket - epoch.length && epoch[i] <= nowBucket) {
        g += good[i];
        t += total[i];
      }
    }
    return new long[] {g, t};
  }
}
