package dev.tandem.server.paging;

/**
 * A token bucket on millisecond time: {@code burst} tokens at most, refilled at {@code perMinute}.
 * Not thread-safe: the sender uses it on its own context only.
 */
final class TokenBucket {
  private final double capacity;
  private final double perMilli;
  private double tokens;
  private long last;
  private long pausedUntil;

  TokenBucket(int perMinute, int burst, long nowMillis) {
    if (perMinute <= 0 || burst <= 0) {
      throw new IllegalArgumentException("rate and burst must be positive");
    }
    this.capacity = burst;
    this.perMilli = perMinute / 60_000.0;
    this.tokens = burst;
    this.last = nowMillis;
  }

  /** Takes one token if there is one (and the bucket is not paused by a 429). */
  boolean tryTake(long nowMillis) {
    if (nowMillis < pausedUntil) {
      return false;
    }
    refill(nowMillis);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** PagerDuty said 429 for this routing key: send nothing on it before {@code untilMillis}. */
  void pauseUntil(long untilMillis) {
    pausedUntil = Math.max(pausedUntil, untilMillis);
    tokens = 0;
  }

  private void refill(long nowMillis) {
    if (nowMillis > last) {
      tokens = Math.min(capacity, tokens + (nowMillis - last) * perMilli);
      last = nowMillis;
    }
  }
}
