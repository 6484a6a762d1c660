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
 */
public record EngineSettings(Duration tick, Duration holdDown, int quorum, Duration probeWindow,
    Duration pathSilence, Duration replicationStaleness) {
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
