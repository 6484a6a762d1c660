package dev.tandem.controller;

/** What one observer's latest verdict counts as in the controller's tally. */
public enum Vote {
  /** The observer sees no reason to switch. */
  STAY,
  /** The observer asks to switch from the active cloud it names to its standby. */
  FAILOVER,
  /** Switching is unsafe in the observer's view (standby not ready, both clouds failing alike): a veto. */
  HOLD,
  /** Unreachable, unparsable, past {@code validUntil}, or about another domain: never a FAILOVER vote. */
  UNKNOWN
}
