package dev.tandem.server.demo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that reads another plus an offset that can change while it runs: the demo's vantage
 * whose clock drifts ahead ({@link Scenario#CLOCK_AHEAD}). A demo and test facility, handed to
 * one vantage's probes through {@code TandemNode.Overrides.withProbeClock}; nothing in a
 * configuration file sets it. Thread-safe.
 */
final class ShiftableClock extends Clock {
  private final Clock base;
  private final AtomicReference<Duration> offset;

  ShiftableClock(Clock base) {
    this(base, new AtomicReference<>(Duration.ZERO));
  }

  private ShiftableClock(Clock base, AtomicReference<Duration> offset) {
    this.base = Objects.requireNonNull(base, "base");
    this.offset = offset;
  }

  /** From now on the clock reads {@code value} ahead of its base (behind when negative). */
  void shift(Duration value) {
    offset.set(Objects.requireNonNull(value, "offset"));
  }

  Duration offset() {
    return offset.get();
  }

  @Override
  public ZoneId getZone() {
    return base.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    // The same drift in another zone: both views move together.
    return new ShiftableClock(base.withZone(zone), offset);
  }

  @Override
  public Instant instant() {
    return base.instant().plus(offset.get());
  }

  @Override
  public long millis() {
    return base.millis() + offset.get().toMillis();
  }
}
