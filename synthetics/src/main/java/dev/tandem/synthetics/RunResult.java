package dev.tandem.synthetics;

import dev.tandem.engine.observation.ProbeObservation;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one run of one journey did.
 *
 * @param run the run's id: its trace id (32 hex digits)
 * @param ok no critical step failed
 * @param steps the observation of every step that ran, in order (also sent to the sink)
 * @param skipped steps not run because an earlier critical step failed (not reported)
 */
public record RunResult(String run, String journey, String cloud, String vantage, Instant started,
    long durationMs, boolean ok, List<ProbeObservation> steps, List<String> skipped) {
  public RunResult {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(started, "started");
    steps = List.copyOf(steps);
    skipped = List.copyOf(skipped);
  }

  /** The first failed step's observation, critical or not. */
  public Optional<ProbeObservation> firstFailure() {
    return steps.stream().filter(s -> !s.ok()).findFirst();
  }
}
