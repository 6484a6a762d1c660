package dev.tandem.engine.observation;

import java.util.Arrays;

/**
 * How many requests of an aggregate were at most as slow as each of {@link #BOUNDS_MS}
 * (cumulative, like a Prometheus histogram's {@code le} buckets). The bounds are OpenTelemetry's
 * default boundaries for {@code http.server.request.duration}, in milliseconds, so that a
 * histogram point maps onto them without interpolation.
 */
public record LatencyCounts(long[] le) {
  public static final double[] BOUNDS_MS = {5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};

  public LatencyCounts {
    if (le.length != BOUNDS_MS.length) {
      throw new IllegalArgumentException("need " + BOUNDS_MS.length + " counts, got " + le.length);
    }
    le = le.clone();
    for (int i = 1; i < le.length; i++) {
      if (le[i] < le[i - 1] || le[i - 1] < 0) {
        throw new IllegalArgumentException("latency counts must be cumulative and non-negative");
      }
    }
  }

  /** The index of a bound, or -1 when {@code thresholdMs} is not one of them. */
  public static int boundIndex(double thresholdMs) {
    for (int i = 0; i < BOUNDS_MS.length; i++) {
      if (BOUNDS_MS[i] == thresholdMs) {
        return i;
      }
    }
    return -1;
  }

  /** Counts a set of latencies in milliseconds. */
  public static LatencyCounts of(long[] latenciesMs) {
    long[] le = new long[BOUNDS_MS.length];
    for (long ms : latenciesMs) {
      for (int i = 0; i < BOUNDS_MS.length; i++) {
        if (ms <= BOUNDS_MS[i]) {
          le[i]++;
        }
      }
    }
    return new LatencyCounts(le);
  }

  public long atMost(int boundIndex) {
    return le[boundIndex];
  }

  @Override
  public long[] le() {
    return le.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatencyCounts other && Arrays.equals(le, other.le);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(le);
  }

  @Override
  public String toString() {
    return "LatencyCounts" + Arrays.toString(le);
  }
}
