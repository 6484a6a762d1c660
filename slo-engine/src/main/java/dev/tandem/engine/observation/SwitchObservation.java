package dev.tandem.engine.observation;

import java.time.Instant;

/**
 * A failover controller (or an operator) reported that {@code domain} is now served by
 * {@code active}: {@code PUT /api/v1/verdicts/{domain}/active}. In the observation log, so that
 * replay switches at the same instant as the live engine did and its anti-flap period counts from
 * the same time.
 *
 * @param by who reported it: the caller's identity as it named itself (a controller's id), never a
 *     credential
 */
public record SwitchObservation(Instant ts, String domain, String active, String by) implements Observation {

  public static final String TYPE = "switch";

  public SwitchObservation {
    Observation.ts(ts);
    Observation.id(domain, "domain");
    Observation.id(active, "active");
    Observation.id(by, "by");
  }

  @Override
  public String type() {
    return TYPE;
  }
}
