package dev.tandem.engine.observation;

import java.time.Instant;

/**
 * The outcome of one step of one synthetic journey run, from one vantage against one cloud.
 *
 * @param run the run's id (the trace id of the run when tracing is on)
 * @param error why the step failed; {@code null} when {@code ok}
 * @param attempts how many tries the step took (transport errors are retried); at least 1
 * @param critical whether the step's failure fails its journey run ({@code critical: false} in
 *     the journey, e.g. a cleanup step); the observation log carries {@code "critical": false}
 *     only for such steps
 */
public record ProbeObservation(Instant ts, String run, String journey, String step, String cloud,
    String vantage, boolean ok, long latencyMs, String error, int attempts, boolean critical)
    implements Observation {

  public static final String TYPE = "probe";

  public ProbeObservation {
    Observation.ts(ts);
    Observation.id(run, "run");
    Observation.id(journey, "journey");
    Observation.id(step, "step");
    Observation.id(cloud, "cloud");
    Observation.id(vantage, "vantage");
    if (latencyMs < 0) {
      throw new IllegalArgumentException("latencyMs must not be negative");
    }
    if (!ok && (error == null || error.isBlank())) {
      throw new IllegalArgumentException("a failed probe step needs an error");
    }
    if (ok) {
      error = null;
    }
    if (attempts < 1) {
      attempts = 1;
    }
  }

  public ProbeObservation(Instant ts, String run, String journey, String step, String cloud,
      String vantage, boolean ok, long latencyMs, String error, int attempts) {
    this(ts, run, journey, step, cloud, vantage, ok, latencyMs, error, attempts, true);
  }

  public ProbeObservation(Instant ts, String run, String journey, String step, String cloud,
      String vantage, boolean ok, long latencyMs, String error) {
    this(ts, run, journey, step, cloud, vantage, ok, latencyMs, error, 1, true);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
