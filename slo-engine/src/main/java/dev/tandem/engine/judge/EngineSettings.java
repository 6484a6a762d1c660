package dev.tandem.engine.judge;

import java.time.Duration;

/**
 * How the engine judges.
 *
 * @param tick how often verdicts are evaluated; verdicts stay valid for three ticks
 * @param holdDown how long a cloud-wide failure must persist before the cloud is UNHEALTHY, and
 *     how long recovery must persist before it leaves UNHEALTHY
 * @param quorum how many independent vantages must see a cloud failing for it to be cloud-wide
 * @param probeWindow the window over which probe outcomes are judged
 * @param pathSilence how long without a heartbeat before a path counts as silent
 * @param replicationStaleness how old a replication lag reading may be before it is unknown
 * @param antiFlap after a reported switch, how long no switch back is recommended
 */
public record EngineSettings(Duration tick, Duration holdDown, int quorum, Duration probeWindow,
    Duration pathSilence, Duration replicationStaleness, Duration antiFlap) {

  /** Default anti-flap period: ten hold-downs, at least five minutes. */
  public EngineSettings(Duration tick, Duration holdDown, int quorum, Duration probeWindow,
      Duration pathSilence, Duration replicationStaleness) {
    this(tick, holdDown, quorum, probeWindow, pathSilence, replicationStaleness,
        max(holdDown.multipliedBy(10), Duration.ofMinutes(5)));
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
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0");
    }
  }

  public Duration validity() {
    return tick.multipliedBy(3);
  }
}
