package dev.tandem.engine.verdict;

/**
 * What a verdict means for the people watching it, beyond the recommendation: a STAY can be all
 * clear, or a failover being confirmed, or a platform with no disaster recovery. Status pages
 * and dashboards show it so that nothing but {@link #ALL_CLEAR} looks like all clear.
 */
public enum VerdictState {
  /** The active cloud is healthy and the standby ready. */
  ALL_CLEAR,
  /** The active cloud has a fault that does not call for a failover (component, vantage, telemetry, a brownout below the threshold). */
  DEGRADED,
  /** The active cloud is failing cloud-wide and the hold-down is running: FAILOVER may follow. */
  CONFIRMING,
  /** The active cloud failed cloud-wide and works again, but not yet for long enough. */
  RECOVERING,
  /** The active cloud is healthy, but no standby is ready: disaster recovery is unavailable. */
  NO_STANDBY,
  /** Not enough evidence to judge the active cloud. */
  UNKNOWN,
  /** The recommendation is FAILOVER. */
  FAILOVER,
  /** The recommendation is HOLD. */
  HOLD
}
