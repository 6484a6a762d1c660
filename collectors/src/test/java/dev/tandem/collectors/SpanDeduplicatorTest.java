package dev.tandem.collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.engine.replay.VirtualClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanDeduplicatorTest {

  private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-26T10:00:00Z"));

  private static byte[] trace(long n) {
    return ByteBuffer.allocate(16).putLong(0x5B8E).putLong(n).array();
  }

  private static byte[] span(long n) {
    return ByteBuffer.allocate(8).putLong(n).array();
  }

  @Test
  void secondSightingIsADuplicateAndCountedAsHit() {
    SpanDeduplicator dedup = SpanDeduplicator.create(1000, Duration.ofMinutes(1), clock);

    assertThat(dedup.firstSeen(trace(1), span(1))).isTrue();
    assertThat(dedup.firstSeen(trace(1), span(1))).isFalse();
    assertThat(dedup.firstSeen(trace(1), span(2))).isTrue();
    assertThat(dedup.firstSeen(trace(2), span(1))).isTrue();
    assertThat(dedup.hits()).isEqualTo(1);
    assertThat(dedup.size()).isEqualTo(3);
  }

  @Test
  void sizeBoundForgetsTheOldestAndCountsIt() {
    SpanDeduplicator dedup = SpanDeduplicator.create(16, Duration.ofMinutes(1), clock);

    // Span ids 0, 16, 32, ... share a stripe whose capacity is one entry.
    assertThat(dedup.firstSeen(trace(1), span(0))).isTrue();
    assertThat(dedup.firstSeen(trace(1), span(16))).isTrue();

    assertThat(dedup.evictionsBySize()).isEqualTo(1);
    assertThat(dedup.firstSeen(trace(1), span(16))).isFalse();
    assertThat(dedup.firstSeen(trace(1), span(0))).isTrue();
    assertThat(dedup.size()).isLessThanOrEqualTo(16);
  }

  @Test
  void ageBoundForgetsSpansOlderThanMaxAge() {
    SpanDeduplicator dedup = SpanDeduplicator.create(1000, Duration.ofSeconds(30), clock);
    dedup.firstSeen(trace(1), span(1));

    clock.advance(Duration.ofSeconds(29));
    assertThat(dedup.firstSeen(trace(1), span(1))).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(dedup.firstSeen(trace(1), span(1))).isTrue();
    assertThat(dedup.evictionsByAge()).isEqualTo(1);
  }

  @Test
  void concurrentSightingsOfOneSpanCountItExactlyOnce() throws Exception {
    SpanDeduplicator dedup = SpanDeduplicator.create(100_000, Duration.ofMinutes(1), clock);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicInteger firsts = new AtomicInteger();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 5_000; i++) {
            if (dedup.firstSeen(trace(i), span(i))) {
              firsts.incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(firsts.get()).isEqualTo(5_000);
    assertThat(dedup.hits()).isEqualTo(15_000);
  }

  @Test
  void badSettingsFailAtCreation() {
    assertThatThrownBy(() -> SpanDeduplicator.create(0, Duration.ofMinutes(1), clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpanDeduplicator.create(10, Duration.ZERO, clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SpanDeduplicator.create(clock).firstSeen(new byte[3], span(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
