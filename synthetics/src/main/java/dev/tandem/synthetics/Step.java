package dev.tandem.synthetics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One step of a journey: one HTTP request, what its answer must look like, and what to remember
 * from it for later steps.
 *
 * @param extract variable name to where its value comes from in the response
 * @param timeoutMs the request timeout; 0 means the runner's default
 * @param always runs even after an earlier critical step failed (cleanup)
 * @param critical whether its failure fails the run and skips the steps after it
 */
public record Step(String name, StepRequest request, StepExpectation expect,
    Map<String, Extraction> extract, long timeoutMs, boolean always, boolean critical) {
  public static final long MAX_TIMEOUT_MS = 300_000;

  public Step {
    Objects.requireNonNull(name, "name");
    if (!Journey.ID.matcher(name).matches()) {
      throw new IllegalArgumentException("step name '" + name + "' must match " + Journey.ID);
    }
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(expect, "expect");
    extract = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extract));
    for (String var : extract.keySet()) {
      if (!Template.NAME.matcher(var).matches() || Template.BUILT_INS.contains(var)) {
        throw new IllegalArgumentException("'" + var + "' cannot be a variable name");
      }
    }
    if (timeoutMs < 0 || timeoutMs > MAX_TIMEOUT_MS) {
      throw new IllegalArgumentException("timeoutMs must be between 0 and " + MAX_TIMEOUT_MS);
    }
  }
}
