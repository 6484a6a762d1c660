package dev.tandem.engine.verdict;

/** How a cloud is doing, as seen from this observer. */
public enum Health {
  HEALTHY,
  DEGRADED,
  UNHEALTHY,
  /** Not enough evidence either way; never leads to a failover. */
  UNKNOWN
}
