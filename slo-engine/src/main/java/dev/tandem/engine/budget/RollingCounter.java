package dev.tandem.engine.budget;

/**
 * Good and total counts over a rolling window kept as a fixed ring of time buckets, with running
 * sums: adding and querying are O(1) amortised (each bucket is cleared once as time passes it).
 * Memory: two longs per bucket, whatever the traffic.
 *
 * <p>Semantics, which the property test's oracle restates: the counter's time is the largest
 * "now" it was ever given (a clock that jumps back does not rewind it). The window is the current
 * bucket and the {@code buckets - 1} before it, so it covers between {@code window - bucket} and
 * {@code window} of time. An event stamped after the counter's time counts in the current bucket;
 * an event older than the window is dropped and {@link #add} says so. Not thread-safe.
 */
final class RollingCounter {
  private final long bucketMillis;
  private final int buckets;
  private final long[] good;
  private final long[] total;
  private long head = Long.MIN_VALUE;
  private long goodSum;
  private long totalSum;

  RollingCounter(long windowMillis, int buckets) {
    if (buckets < 1 || windowMillis < buckets) {
      throw new IllegalArgumentException("need windowMillis >= buckets >= 1");
    }
    this.bucketMillis = windowMillis / buckets;
    this.buckets = buckets;
    this.good = new long[buckets];
    this.total = new long[buckets];
  }

  long bucketMillis() {
    return bucketMillis;
  }

  int buckets() {
    return buckets;
  }

  private void advance(long nowMillis) {
    long now = Math.floorDiv(nowMillis, bucketMillis);
    if (head == Long.MIN_VALUE) {
      head = now;
      return;
    }
    if (now <= head) {
      return;
    }
    if (now - head >= buckets) {
      java.util.Arrays.fill(good, 0);
      java.util.Arrays.fill(total, 0);
      goodSum = 0;
      totalSum = 0;
    } else {
      for (long b = head + 1; b <= now; b++) {
        int slot = (int) Math.floorMod(b, (long) buckets);
        goodSum -= good[slot];
        totalSum -= total[slot];
        good[slot] = 0;
        total[slot] = 0;
      }
    }
    head = now;
  }

  /** Adds counts stamped {@code atMillis}; false when they fell out of the window (dropped). */
  boolean add(long atMillis, long nowMillis, long goodCount, long totalCount) {
    advance(nowMillis);
    long bucket = Math.min(Math.floorDiv(atMillis, bucketMillis), head);
    if (bucket <= head - buckets) {
      return false;
    }
    int slot = (int) Math.floorMod(bucket, (long) buckets);
    good[slot] += goodCount;
    total[slot] += totalCount;
    goodSum += goodCount;
    totalSum += totalCount;
    return true;
  }

  long good(long nowMillis) {
    advance(nowMillis);
    return goodSum;
  }

  long total(long nowMillis) {
    advance(nowMillis);
    return totalSum;
  }

  /** State for a snapshot: head, then good and total per slot. */
  long[] state() {
    long[] s = new long[1 + 2 * buckets];
    s[0] = head;
    System.arraycopy(good, 0, s, 1, buckets);
    System.arraycopy(total, 0, s, 1 + buckets, buckets);
    return s;
  }

  void restore(long[] s) {
    if (s.length != 1 + 2 * buckets) {
      throw new IllegalArgumentException("snapshot has " + s.length + " values, expected " + (1 + 2 * buckets));
    }
    head = s[0];
    System.arraycopy(s, 1, good, 0, buckets);
    System.arraycopy(s, 1 + buckets, total, 0, buckets);
    goodSum = 0;
    totalSum = 0;
    for (int i = 0; i < buckets; i++) {
      goodSum += good[i];
      totalSum += total[i];
    }
  }
}
