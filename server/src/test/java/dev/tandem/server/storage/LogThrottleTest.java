package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
  @Test
  void letsTheFirstLineThroughThenOnePerInterval() {
    AtomicLong nanos = new AtomicLong(1_000);
    LogThrottle throttle = new LogThrottle(Duration.ofSeconds(60), nanos::get);
    assertThat(throttle.allow()).isTrue();
    assertThat(throttle.allow()).isFalse();
    nanos.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(throttle.allow()).isFalse();
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(throttle.allow()).isTrue();
    assertThat(throttle.allow()).isFalse();
  }
}
