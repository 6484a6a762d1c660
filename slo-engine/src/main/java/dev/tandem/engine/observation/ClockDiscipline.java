package dev.tandem.engine.observation;

import java.time.Duration;
import java.time.Instant;

/**
 * Refuses observations stamped too far ahead of the judge's clock. A sender whose clock runs
 * ahead would otherwise freeze windows (its results land in buckets that have not begun) and make
 * every on-time event look late. Observations within the bound are accepted and counted as if
 * stamped now.
 */
public final class ClockDiscipline {
  /** The default bound: {@code engine.maxClockSkewSeconds}. */
  public static final Duration DEFAULT_MAX_SKEW = Duration.ofSeconds(30);

  private ClockDiscipline() {}

  /** Whether {@code o} is stamped more than {@code maxSkew} after {@code now}. */
  public static boolean tooFarAhead(Observation o, Instant now, Duration maxSkew) {
    return tooFarAhead(o, now.toEpochMilli(), maxSkew.toMillis());
  }

  /** The same on epoch milliseconds: no allocation, for the hot path. */
  public static boolean tooFarAhead(Observation o, long nowMillis, long maxSkewMillis) {
    return o.ts().toEpochMilli() > nowMillis + maxSkewMillis;
  }

  /**
   * Who vouched for the stamp: the vantage of a probe result, else the telemetry path (or
   * {@code "-"} for SLI samples without one, and replication readings).
   */
  public static String sender(Observation o) {
    if (o instanceof ProbeObservation p) {
      return "vantage " + p.vantage();
    }
    if (o instanceof HeartbeatObservation h) {
      return "path " + h.path();
    }
    if (o instanceof TelemetryObservation t) {
      return "path " + t.path();
    }
    if (o instanceof SliObservation s && s.path() != null) {
      return "path " + s.path();
    }
    return "-";
  }
}
