package dev.tandem.synthetics;

import java.time.Duration;
import java.util.Objects;

/**
 * How probes run: the schedule of {@link ProbeScheduler} and the request policy of
 * {@link JourneyRunner}. Fails fast on nonsense.
 *
 * @param interval time between two runs of one (journey, vantage, cloud)
 * @param timeout a step's request timeout unless the step sets {@code timeoutMs}
 * @param maxInFlight runs in progress at once; a tick beyond it is shed and counted
 * @param retries extra tries after a transport error before any response (never after a status)
 * @param retryBackoff wait before the first retry; doubled for each further one
 * @param jitter each wait is the interval plus or minus up to this fraction of it
 */
public record ProbeSettings(Duration interval, Duration timeout, int maxInFlight, int retries,
    Duration retryBackoff, double jitter) {
  public static final int DEFAULT_MAX_IN_FLIGHT = 32;
  public static final int DEFAULT_RETRIES = 2;
  public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(200);
  public static final double DEFAULT_JITTER = 0.1;

  public ProbeSettings {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(retryBackoff, "retryBackoff");
    if (interval.toMillis() < 1 || interval.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("interval must be between 1 ms and 1 day, got " + interval);
    }
    if (timeout.toMillis() < 1 || timeout.toMillis() > Step.MAX_TIMEOUT_MS) {
      throw new IllegalArgumentException("timeout must be between 1 ms and " + Step.MAX_TIMEOUT_MS
          + " ms, got " + timeout);
    }
    if (maxInFlight < 1 || maxInFlight > 10_000) {
      throw new IllegalArgumentException("maxInFlight must be between 1 and 10000, got " + maxInFlight);
    }
    if (retries < 0 || retries > 5) {
      throw new IllegalArgumentException("retries must be between 0 and 5, got " + retries);
    }
    if (retryBackoff.isNegative() || retryBackoff.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException("retryBackoff must be between 0 and 10 s, got " + retryBackoff);
    }
    if (!(jitter >= 0 && jitter <= 0.5)) {
      throw new IllegalArgumentException("jitter must be between 0 and 0.5, got " + jitter);
    }
  }

  /** The defaults, with the configuration's {@code intervalSeconds} and {@code timeoutSeconds}. */
  public static ProbeSettings ofSeconds(long intervalSeconds, long timeoutSeconds) {
    return of(Duration.ofSeconds(intervalSeconds), Duration.ofSeconds(timeoutSeconds));
  }

  public static ProbeSettings of(Duration interval, Duration timeout) {
    return new ProbeSettings(interval, timeout, DEFAULT_MAX_IN_FLIGHT, DEFAULT_RETRIES,
        DEFAULT_BACKOFF, DEFAULT_JITTER);
  }

  /** Every 10 s, 5 s timeout: the configuration example's values. */
  public static ProbeSettings defaults() {
    return ofSeconds(10, 5);
  }

  public ProbeSettings withMaxInFlight(int value) {
    return new ProbeSettings(interval, timeout, value, retries, retryBackoff, jitter);
  }

  public ProbeSettings withRetries(int value, Duration backoff) {
    return new ProbeSettings(interval, timeout, maxInFlight, value, backoff, jitter);
  }

  public ProbeSettings withJitter(double value) {
    return new ProbeSettings(interval, timeout, maxInFlight, retries, retryBackoff, value);
  }
}
