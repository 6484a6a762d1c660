package dev.tandem.engine.judge;

import java.time.Duration;

/**
 * How the engine judges.
 *
 * @param tick how often verdicts are evaluated; verdicts stay valid for three ticks
 * @param holdDown how long a cloud-wide failure must persist before the cloud is UNHEALTHY;
 *     leaving UNHEALTHY takes {@link VerdictEngine#RECOVERY_HOLD_DOWNS} hold-downs of recovery
 *     (two), and a half-confirmed failure is forgotten after as long without it
 * @param quorum how many independent failure domains (vantage provider x region) must see a
 *     cloud failing for it to be cloud-wide
 * @param probeWindow the window over which probe outcomes are counted and judged
 * @param pathSilence how long without a heartbeat before a path counts as silent
 * @param replicationStaleness how old a replication lag reading may be before it is unknown
 * @param antiFlap after a reported switch, how long no switch back is recommended
 * @param brownoutErrorRate the journey-run failure rate (lower confidence bound) from which
 *     failures spread over a cloud are cloud-wide, and can lead to FAILOVER
 * @param maxClockSkew observations stamped further ahead of the engine's clock are refused
 * @param recentWindow the most recent part of the probe window: "still failing now" is judged
 *     on it, and a hard outage is seen on it before the whole window fills
 * @param vantageWindow the window over which a vantage is compared with the others (blame needs
 *     more evidence than an outage, and must not come and go with each run)
 */
public record EngineSettings(Duration tick, Duration holdDown, int quorum, Duration probeWindow,
    Duration pathSilence, Duration replicationStaleness, Duration antiFlap, double brownoutErrorRate,
    Duration maxClockSkew, Duration recentWindow, Duration vantageWindow) {

  public static final double DEFAULT_BROWNOUT_ERROR_RATE = 0.2;
  public static final Duration DEFAULT_MAX_CLOCK_SKEW =
      dev.tandem.engine.observation.ClockDiscipline.DEFAULT_MAX_SKEW;

  /** The defaults for the judgement settings added in the second wave. */
  public EngineSettings(Duration tick, Duration holdDown, int quorum, Duration probeWindow,
      Duration pathSilence, Duration replicationStaleness, Duration antiFlap) {
    this(tick, holdDown, quorum, probeWindow, pathSilence, replicationStaleness, antiFlap,
        DEFAULT_BROWNOUT_ERROR_RATE, DEFAULT_MAX_CLOCK_SKEW, defaultRecent(probeWindow),
        defaultVantageWindow(probeWindow));
  }

  /** Default anti-flap period: ten hold-downs, at least five minutes. */
  public EngineSettings(Duration tick, Duration holdDown, int quorum, Duration probeWindow,
      Duration pathSilence, Duration replicationStaleness) {
    this(tick, holdDown, quorum, probeWindow, pathSilence, replicationStaleness,
        defaultAntiFlap(holdDown));
  }

  public static Duration defaultAntiFlap(Duration holdDown) {
    return max(holdDown == null ? Duration.ZERO : holdDown.multipliedBy(10), Duration.ofMinutes(5));
  }

  /** A third of the probe window: two probe rounds at the usual ratio of interval to window. */
  public static Duration defaultRecent(Duration probeWindow) {
    return probeWindow == null ? null : probeWindow.dividedBy(3);
  }

  /** Ten probe windows. */
  public static Duration defaultVantageWindow(Duration probeWindow) {
    return probeWindow == null ? null : probeWindow.multipliedBy(10);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  public EngineSettings {
    positive(tick, "tick");
    if (holdDown == null || holdDown.isNegative()) {
      throw new IllegalArgumentException("holdDown must be >= 0");
    }
    if (quorum < 1) {
      throw new IllegalArgumentException("quorum must be >= 1");
    }
    positive(probeWindow, "probeWindow");
    positive(pathSilence, "pathSilence");
    positive(replicationStaleness, "replicationStaleness");
    if (antiFlap == null || antiFlap.isNegative()) {
      throw new IllegalArgumentException("antiFlap must be >= 0");
    }
    if (!(brownoutErrorRate > 0 && brownoutErrorRate < 1)) {
      throw new IllegalArgumentException("brownoutErrorRate must be between 0 and 1 (exclusive)");
    }
    positive(maxClockSkew, "maxClockSkew");
    positive(recentWindow, "recentWindow");
    if (recentWindow.compareTo(probeWindow) > 0) {
      throw new IllegalArgumentException("recentWindow must not exceed probeWindow");
    }
    positive(vantageWindow, "vantageWindow");
    if (vantageWindow.compareTo(probeWindow) < 0) {
      throw new IllegalArgumentException("vantageWindow must be at least probeWindow");
    }
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0");
    }
  }

  public Duration validity() {
    return tick.multipliedBy(3);
  }

  /** The same settings with another brownout threshold. */
  public EngineSettings withBrownoutErrorRate(double rate) {
    return new EngineSettings(tick, holdDown, quorum, probeWindow, pathSilence, replicationStaleness, antiFlap,
        rate, maxClockSkew, recentWindow, vantageWindow);
  }

  /** The same settings with another clock skew bound. */
  public EngineSettings withMaxClockSkew(Duration skew) {
    return new EngineSettings(tick, holdDown, quorum, probeWindow, pathSilence, replicationStaleness, antiFlap,
        brownoutErrorRate, skew, recentWindow, vantageWindow);
  }

  /** The same settings with other recent and vantage windows. */
  public EngineSettings withWindows(Duration recent, Duration vantage) {
    return new EngineSettings(tick, holdDown, quorum, probeWindow, pathSilence, replicationStaleness, antiFlap,
        brownoutErrorRate, maxClockSkew, recent, vantage);
  }
}
