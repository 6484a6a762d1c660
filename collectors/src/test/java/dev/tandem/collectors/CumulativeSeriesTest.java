package dev.tandem.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.replay.VirtualClock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CumulativeSeriesTest {

  private static final Instant WATCH = Instant.parse("2026-11-26T10:00:00Z");
  private static final long SECOND = 1_000_000_000L;
  private static final long WATCH_NANOS = WATCH.getEpochSecond() * SECOND;

  private final VirtualClock clock = new VirtualClock(WATCH);

  @Test
  void cumulativeCountsBecomeIncreases() {
    CumulativeSeries series = CumulativeSeries.create(100, clock);
    long start = WATCH_NANOS + SECOND;

    assertThat(series.increase("s", start, start + 10 * SECOND, 5)).isEqualTo(5);
    assertThat(series.increase("s", start, start + 20 * SECOND, 8)).isEqualTo(3);
    assertThat(series.increase("s", start, start + 30 * SECOND, 8)).isZero();
    assertThat(series.increase("s", start, start + 40 * SECOND, 20)).isEqualTo(12);
  }

  @Test
  void seriesThatStartedBeforeWatchingOnlySetsTheBaseline() {
    CumulativeSeries series = CumulativeSeries.create(100, clock);
    long start = WATCH_NANOS - 3600 * SECOND;

    assertThat(series.increase("s", start, WATCH_NANOS + SECOND, 1000)).isZero();
    assertThat(series.increase("s", start, WATCH_NANOS + 2 * SECOND, 1004)).isEqualTo(4);
  }

  @Test
  void retriedOrOtherPathCopyOfAPointAddsNothing() {
    CumulativeSeries series = CumulativeSeries.create(100, clock);
    long start = WATCH_NANOS + SECOND;
    series.increase("s", start, start + 10 * SECOND, 5);
    series.increase("s", start, start + 20 * SECOND, 9);

    assertThat(series.increase("s", start, start + 20 * SECOND, 9)).isZero();
    assertThat(series.increase("s", start, start + 10 * SECOND, 5)).isZero();
    assertThat(series.stalePoints()).isEqualTo(2);
    assertThat(series.increase("s", start, start + 30 * SECOND, 10)).isEqualTo(1);
  }

  @Test
  void newStartTimeIsAResetAndTheWholeCountIsNew() {
    CumulativeSeries series = CumulativeSeries.create(100, clock);
    long start = WATCH_NANOS + SECOND;
    series.increase("s", start, start + 10 * SECOND, 50);

    long restart = start + 60 * SECOND;
    assertThat(series.increase("s", restart, restart + SECOND, 70)).isEqualTo(70);
    assertThat(series.resets()).isEqualTo(1);
  }

  @Test
  void countThatGoesDownIsAResetWhenStartTimeIsUnknown() {
    CumulativeSeries series = CumulativeSeries.create(100, clock);
    series.increase("s", 0, WATCH_NANOS + SECOND, 50);

    assertThat(series.increase("s", 0, WATCH_NANOS + 2 * SECOND, 3)).isEqualTo(3);
    assertThat(series.resets()).isEqualTo(1);
  }

  @Test
  void leastRecentlyUpdatedSeriesIsEvictedAndItsReturnDoesNotCountTwice() {
    CumulativeSeries series = CumulativeSeries.create(2, clock);
    long start = WATCH_NANOS + SECOND;
    series.increase("a", start, start + SECOND, 10);
    series.increase("b", start, start + SECOND, 10);
    series.increase("a", start, start + 2 * SECOND, 11);

    clock.advance(java.time.Duration.ofSeconds(5));
    assertThat(series.increase("c", start, start + 3 * SECOND, 10)).isEqualTo(10);
    assertThat(series.evictions()).isEqualTo(1);
    assertThat(series.size()).isEqualTo(2);

    // "b" was evicted: its count of 12 includes 10 already counted, so it only sets a baseline.
    assertThat(series.increase("b", start, start + 4 * SECOND, 12)).isZero();
    assertThat(series.increase("a", start, start + 5 * SECOND, 11)).isZero();
  }
}
