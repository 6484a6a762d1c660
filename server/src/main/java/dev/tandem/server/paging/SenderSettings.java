package dev.tandem.server.paging;

import java.time.Duration;
import java.util.Objects;

/**
 * How the sender paces and retries.
 *
 * @param perMinute events per minute per routing key (PagerDuty allows about 120)
 * @param burst events a routing key may send at once before the rate applies
 * @param firstBackoff the first retry delay; each retry doubles it, with jitter (50-100%)
 * @param maxBackoff the longest retry delay, and the longest {@code Retry-After} honoured
 * @param maxInFlight requests outstanding at once
 * @param timeout per request
 * @param pumpEvery how often waiting events are looked at again
 * @param configRetry how often a routing key that PagerDuty (or a proxy) refused with 401, 403 or
 *     404 is tried again: a configuration error that someone has to fix, so a slow, steady retry
 */
public record SenderSettings(int perMinute, int burst, Duration firstBackoff, Duration maxBackoff, int maxInFlight,
    Duration timeout, Duration pumpEvery, Duration configRetry) {

  /** A refused routing key is tried again every 5 minutes by default. */
  public static final Duration DEFAULT_CONFIG_RETRY = Duration.ofMinutes(5);

  public SenderSettings {
    if (perMinute <= 0 || burst <= 0 || maxInFlight <= 0) {
      throw new IllegalArgumentException("perMinute, burst and maxInFlight must be positive");
    }
    for (Duration d : new Duration[] {firstBackoff, maxBackoff, timeout, pumpEvery, configRetry}) {
      Objects.requireNonNull(d, "durations must be set");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("durations must be positive, got " + d);
      }
    }
    if (maxBackoff.compareTo(firstBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below firstBackoff " + firstBackoff);
    }
  }

  /** With the default {@link #DEFAULT_CONFIG_RETRY}. */
  public SenderSettings(int perMinute, int burst, Duration firstBackoff, Duration maxBackoff, int maxInFlight,
      Duration timeout, Duration pumpEvery) {
    this(perMinute, burst, firstBackoff, maxBackoff, maxInFlight, timeout, pumpEvery, DEFAULT_CONFIG_RETRY);
  }

  /** The same settings with another {@code configRetry}. */
  public SenderSettings withConfigRetry(Duration value) {
    return new SenderSettings(perMinute, burst, firstBackoff, maxBackoff, maxInFlight, timeout, pumpEvery, value);
  }

  /**
   * PagerDuty's limits: 120 a minute per routing key, bursts of 10, retries from 1 s up to 5 min,
   * a refused routing key every 5 min.
   */
  public static SenderSettings defaults() {
    return new SenderSettings(120, 10, Duration.ofSeconds(1), Duration.ofMinutes(5), 4, Duration.ofSeconds(10),
        Duration.ofMillis(250));
  }
}
