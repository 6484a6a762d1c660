package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long MS = 1_000_000L;

  @ParameterizedTest
  @CsvSource({
    // failures, random, expected ms (base 100 ms, max 3 s: ceiling/2 + r x ceiling/2)
    "1, 0.0, 50", "1, 0.999999, 99", "2, 0.0, 100", "3, 0.5, 300", "5, 0.0, 800",
    "6, 0.0, 1500", "6, 0.5, 2250", "40, 0.0, 1500", "2000000000, 0.0, 1500"})
  void delayDoublesPerFailureUpToTheCapWithJitter(int failures, double random, long expectedMs) {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(3), () -> random);
    assertThat(b.delayNanos(failures) / MS).isEqualTo(expectedMs);
  }

  @Test
  void rejectsAMaxBelowTheBase() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
