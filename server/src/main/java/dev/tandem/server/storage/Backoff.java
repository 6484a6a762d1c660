package dev.tandem.server.storage;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits a random time between half
 * and all of {@code min(max, base x 2^n)}. The jitter keeps many Tandem processes that lost the
 * same database from retrying in lock step when it comes back.
 */
public final class Backoff {
  private final long baseNanos;
  private final long maxNanos;
  private final DoubleSupplier random;

  /** @param random values in [0, 1), e.g. {@code ThreadLocalRandom.current()::nextDouble} */
  public Backoff(Duration base, Duration max, DoubleSupplier random) {
    if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
      throw new IllegalArgumentException("need 0 < base <= max, got " + base + " and " + max);
    }
    this.baseNanos = base.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  /** The wait after {@code failures} consecutive failures (1 = the first). */
  public long delayNanos(int failures) {
    int shift = Math.max(0, Math.min(failures - 1, 62));
    long ceiling = baseNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, baseNanos << shift);
    double r = random.getAsDouble();
    return ceiling / 2 + (long) (r * (ceiling - ceiling / 2));
  }
}
