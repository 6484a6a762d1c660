package dev.tandem.engine.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The bucket ring against an obviously correct oracle that keeps every accepted event and sums
 * them from scratch: random streams with gaps, bursts, late and out-of-order events and clock
 * jumps (both ways) must give equal counts at every step.
 */
class RollingCounterPropertyTest {
  /** One step: time moves by {@code advance} (may be negative), then an event {@code lag} ms old. */
  record Step(long advance, long lag, int good, int total) {}

  @Provide
  Arbitrary<List<Step>> streams() {
    Arbitrary<Long> advance = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(0, 2_000)),
        net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(0, 200)),
        net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(20_000, 400_000)),
        net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(-50_000, -1)));
    Arbitrary<Long> lag = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.just(0L)),
        net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 90_000)),
        net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(-5_000, 0)));
    Arbitrary<Integer> total = Arbitraries.integers().between(0, 50);
    return Combinators.combine(advance, lag, total, Arbitraries.integers().between(0, 100))
        .as((a, l, t, pct) -> new Step(a, l, t * pct / 100, t))
        .list().ofMinSize(1).ofMaxSize(300);
  }

  @Property(tries = 300)
  void ringEqualsBruteForce(@ForAll("streams") List<Step> steps,
      @ForAll @IntRange(min = 1, max = 60) int buckets,
      @ForAll @IntRange(min = 1, max = 300) int windowSeconds) {
    long window = windowSeconds * 1000L;
    if (window < buckets) {
      return;
    }
    RollingCounter ring = new RollingCounter(window, buckets);
    Oracle oracle = new Oracle(window / buckets, buckets);
    long now = 1_700_000_000_000L;
    for (Step s : steps) {
      now += s.advance();
      long at = now - s.lag();
      boolean kept = ring.add(at, now, s.good(), s.total());
      assertThat(kept).isEqualTo(oracle.add(at, now, s.good(), s.total()));
      assertThat(ring.good(now)).isEqualTo(oracle.good(now));
      assertThat(ring.total(now)).isEqualTo(oracle.total(now));
    }
  }

  /** Keeps every accepted event; sums those whose bucket is in the window, from scratch. */
  static final class Oracle {
    private final long bucketMillis;
    private final int buckets;
    private final List<long[]> events = new ArrayList<>();
    private long head = Long.MIN_VALUE;

    Oracle(long bucketMillis, int buckets) {
      this.bucketMillis = bucketMillis;
      this.buckets = buckets;
    }

    private void see(long now) {
      head = Math.max(head, Math.floorDiv(now, bucketMillis));
    }

    boolean add(long at, long now, long good, long total) {
      see(now);
      long bucket = Math.min(Math.floorDiv(at, bucketMillis), head);
      if (bucket <= head - buckets) {
        return false;
      }
      events.add(new long[] {bucket, good, total});
      return true;
    }

    long good(long now) {
      see(now);
      return events.stream().filter(e -> e[0] > head - buckets).mapToLong(e -> e[1]).sum();
    }

    long total(long now) {
      see(now);
      return events.stream().filter(e -> e[0] > head - buckets).mapToLong(e -> e[2]).sum();
    }
  }
}
