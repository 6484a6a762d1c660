package dev.tandem.server.storage;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets a log line through at most once per interval, so that a fault hit thousands of times a
 * second stays loud without flooding the log. Thread-safe.
 */
final class LogThrottle {
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong next;

  /** @param nanoTime a monotonic clock, {@code System::nanoTime} in production */
  LogThrottle(java.time.Duration interval, LongSupplier nanoTime) {
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.next = new AtomicLong(nanoTime.getAsLong());
  }

  /** True for the first call and then once per interval. */
  boolean allow() {
    long now = nanoTime.getAsLong();
    long due = next.get();
    return now - due >= 0 && next.compareAndSet(due, now + intervalNanos);
  }
}
