package dev.tandem.engine.verdict;

/** Where a problem lies: only {@link #CLOUD_WIDE} can lead to a failover. */
public enum Fault {
  NONE,
  /** One service, step or SLO failing while the rest of the cloud works. */
  COMPONENT,
  /** An observer problem: one vantage failing while others see the cloud fine. */
  VANTAGE,
  /** A telemetry path is silent while probes pass: we lost sight, not service. */
  TELEMETRY,
  /** The cloud fails as a whole, seen by independent vantages. */
  CLOUD_WIDE
}
