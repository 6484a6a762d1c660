package dev.tandem.controller;

/** What one observer's latest verdict counts as in the controller's tally. */
public enum Vote {
  STAY,
  FAILOVER,
  HOLD,
  /** Unreachable, unparsable, past {@code validUntil}, or about another domain: never a FAILOVER vote. */
  UNKNOWN
}
