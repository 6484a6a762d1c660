package dev.tandem.engine.verdict;

/** What the verdict tells a failover controller to do with a failover domain. */
public enum Recommendation {
  /** Keep the active cloud. */
  STAY,
  /** Switch to the standby: the active cloud is failing cloud-wide and the standby is ready. */
  FAILOVER,
  /** The active cloud is failing cloud-wide, but switching is unsafe or cannot help. */
  HOLD
}
