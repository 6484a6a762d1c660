package dev.tandem.engine.observation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProbeDeduplicatorTest {
  private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");

  private static ProbeObservation probe(String run, String step, String vantage) {
    return new ProbeObservation(T, run, "order-to-invoice", step, "primary", vantage, true, 10, null);
  }

  @Test
  void aStepResultArrivingTwiceCountsOnce() {
    ProbeDeduplicator dedup = new ProbeDeduplicator(10);
    assertThat(dedup.firstSeen(probe("r1", "submit", "ext-1"))).isTrue();
    assertThat(dedup.firstSeen(probe("r1", "submit", "ext-1"))).isFalse();
    assertThat(dedup.firstSeen(probe("r1", "allocate", "ext-1"))).isTrue();
    assertThat(dedup.firstSeen(probe("r1", "submit", "ext-2"))).isTrue();
    assertThat(dedup.firstSeen(new HeartbeatObservation(T, "path-a", "primary"))).isTrue();
    assertThat(dedup.firstSeen(new HeartbeatObservation(T, "path-a", "primary"))).isTrue();
    assertThat(dedup.duplicates()).isEqualTo(1);
  }

  @Test
  void memoryIsBoundedToTheMostRecentKeys() {
    ProbeDeduplicator dedup = new ProbeDeduplicator(2);
    dedup.firstSeen(probe("r1", "s", "v"));
    dedup.firstSeen(probe("r2", "s", "v"));
    dedup.firstSeen(probe("r3", "s", "v"));
    assertThat(dedup.firstSeen(probe("r3", "s", "v"))).isFalse();
    assertThat(dedup.firstSeen(probe("r1", "s", "v"))).isTrue();
  }
}
