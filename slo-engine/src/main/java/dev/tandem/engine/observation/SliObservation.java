package dev.tandem.engine.observation;

import java.time.Instant;

/** A pre-computed SLI sample: {@code good} of {@code total} events for one SLO and cloud. */
public record SliObservation(Instant ts, String slo, String cloud, String path, long good, long total)
    implements Observation {

  public static final String TYPE = "sli";

  public SliObservation {
    Observation.ts(ts);
    Observation.id(slo, "slo");
    Observation.id(cloud, "cloud");
    if (good < 0 || total < 0 || good > total) {
      throw new IllegalArgumentException("need 0 <= good <= total, got " + good + "/" + total);
    }
  }

  @Override
  public String type() {
    return TYPE;
  }
}
