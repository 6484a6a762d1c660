package dev.tandem.engine.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The ring with running sums against an obviously correct oracle: every event kept with its
 * bucket, summed by scanning. Streams jump forwards, stall, step back in time and come late.
 */
class CountRingPropertyTest {
  private record Event(long bucket, int counter, long delta) {}

  @Property(tries = 300)
  void sumsAreWhatAListOfEventsSays(@ForAll @Size(max = 200) List<@IntRange(min = -3, max = 40) Integer> steps,
      @ForAll @IntRange(min = 1, max = 12) int lastBuckets) {
    long window = 30_000;
    int buckets = 10;
    CountRing ring = new CountRing(window, buckets, 2);
    long bucketMillis = window / buckets;
    List<Event> kept = new ArrayList<>();
    long now = 1_000_000;
    long head = Long.MIN_VALUE;
    int i = 0;
    for (int step : steps) {
      now += step * 700L;                       // moves on, stalls, or steps back
      head = Math.max(head, Math.floorDiv(now, bucketMillis));
      long at = now - (i % 7) * 2_500L;           // some events are late, a few too late
      long bucket = Math.min(Math.floorDiv(at, bucketMillis), head);
      boolean fits = bucket > head - buckets;
      assertThat(ring.add(at, now, i % 2, 1 + i % 3)).isEqualTo(fits);
      if (fits) {
        kept.add(new Event(bucket, i % 2, 1 + i % 3));
      }
      long[] sum = new long[2];
      ring.sumInto(now, lastBuckets, sum);
      long[] expected = new long[2];
      int k = Math.min(lastBuckets, buckets);
      for (Event e : kept) {
        if (e.bucket() > head - k && e.bucket() <= head) {
          expected[e.counter()] += e.delta();
        }
      }
      assertThat(sum).as("after %d events, last %d buckets", i + 1, lastBuckets).containsExactly(expected);
      i++;
    }
  }
}
