package dev.tandem.engine.judge;

import java.util.Arrays;

/**
 * A few counters over a rolling window, kept as a fixed ring of time buckets with running sums:
 * memory is {@code buckets x width} longs whatever the traffic; an update and a sum over the
 * whole window are O(1) amortised (each bucket is cleared once as time passes it); a sum over the
 * most recent {@code k} buckets is O(k). So one ring answers for a long and a short window alike.
 *
 * <p>The ring's time is the largest "now" it was given (a clock that steps back does not rewind
 * it). Events older than the window are refused (the caller counts them); events stamped after
 * now go to the newest bucket. Not thread-safe.
 */
final class CountRing {
  private final long bucketMillis;
  private final int buckets;
  private final int width;
  private final long[] counts;
  private final long[] totals;
  private long head = Long.MIN_VALUE;

  CountRing(long windowMillis, int buckets, int width) {
    if (buckets < 1 || width < 1 || windowMillis < buckets) {
      throw new IllegalArgumentException("need windowMillis >= buckets >= 1 and width >= 1");
    }
    this.bucketMillis = Math.max(1, windowMillis / buckets);
    this.buckets = buckets;
    this.width = width;
    this.counts = new long[buckets * width];
    this.totals = new long[width];
  }

  long bucketMillis() {
    return bucketMillis;
  }

  /** How many buckets span {@code millis} (at least 1, at most the whole ring). */
  int bucketsFor(long millis) {
    return (int) Math.max(1, Math.min(buckets, (millis + bucketMillis - 1) / bucketMillis));
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
      Arrays.fill(counts, 0L);
      Arrays.fill(totals, 0L);
    } else {
      for (long b = head + 1; b <= now; b++) {
        int base = (int) Math.floorMod(b, (long) buckets) * width;
        for (int c = 0; c < width; c++) {
          totals[c] -= counts[base + c];
          counts[base + c] = 0;
        }
      }
    }
    head = now;
  }

  /** Adds {@code delta} to counter {@code counter} at {@code atMillis}; false when too old. */
  boolean add(long atMillis, long nowMillis, int counter, long delta) {
    advance(nowMillis);
    long bucket = Math.min(Math.floorDiv(atMillis, bucketMillis), head);
    if (bucket <= head - buckets) {
      return false;
    }
    counts[(int) Math.floorMod(bucket, (long) buckets) * width + counter] += delta;
    totals[counter] += delta;
    return true;
  }

  /** Adds to two counters at {@code atMillis} at once; false when too old. */
  boolean add(long atMillis, long nowMillis, int counter, long delta, int other, long otherDelta) {
    advance(nowMillis);
    long bucket = Math.min(Math.floorDiv(atMillis, bucketMillis), head);
    if (bucket <= head - buckets) {
      return false;
    }
    int base = (int) Math.floorMod(bucket, (long) buckets) * width;
    counts[base + counter] += delta;
    counts[base + other] += otherDelta;
    totals[counter] += delta;
    totals[other] += otherDelta;
    return true;
  }

  /**
   * Adds the counters of the last {@code lastBuckets} buckets up to {@code nowMillis} (the whole
   * window when {@code lastBuckets} is the ring's size) into {@code into} ({@code width} slots).
   */
  void sumInto(long nowMillis, int lastBuckets, long[] into) {
    advance(nowMillis);
    if (head == Long.MIN_VALUE) {
      return;
    }
    if (lastBuckets >= buckets) {
      for (int c = 0; c < width; c++) {
        into[c] += totals[c];
      }
      return;
    }
    int slot = (int) Math.floorMod(head, (long) buckets);
    for (int i = 0; i < lastBuckets; i++) {
      int base = slot * width;
      for (int c = 0; c < width; c++) {
        into[c] += counts[base + c];
      }
      slot = slot == 0 ? buckets - 1 : slot - 1;
    }
  }

  /** Counter {@code counter} over the whole window. */
  long total(long nowMillis, int counter) {
    advance(nowMillis);
    return totals[counter];
  }
}
