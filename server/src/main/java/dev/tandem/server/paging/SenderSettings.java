package dev.tandem.server.paging;

import java.time.Duration;

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
 */
public record SenderSettings(int perMinute, int burst, Duration firstBackoff, Duration maxBackoff, int maxInFlight,
    Duration timeout, Duration pumpEvery) {

  public SenderSettings {
    if (perMinute <= 0 || burst <= 0 || maxInFlight <= 0) {
      throw new IllegalArgumentException("perMinute, burst and maxInFlight must be positive");
    }
  }

  /** PagerDuty's limits: 120 a minute per routing key, bursts of 10, retries from 1 s up to 5 min. */
  public static SenderSettings defaults() {
    return new SenderSettings(120, 10, Duration.ofSeconds(1), Duration.ofMinutes(5), 4, Duration.ofSeconds(10),
        Duration.ofMillis(250));
  }
}
