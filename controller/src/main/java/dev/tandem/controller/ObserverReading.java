package dev.tandem.controller;

import java.util.Objects;
import java.util.Optional;

/**
 * What the controller last got from one observer for one domain: a verdict, or the problem that
 * kept it from having one (unreachable, an HTTP error, an unparsable body).
 */
public record ObserverReading(String observer, Optional<ObservedVerdict> verdict, String problem) {
  public ObserverReading {
    Objects.requireNonNull(observer, "observer");
    Objects.requireNonNull(verdict, "verdict");
    if (verdict.isEmpty() && (problem == null || problem.isBlank())) {
      throw new IllegalArgumentException("a reading without a verdict must say what went wrong");
    }
    problem = verdict.isPresent() ? "" : problem;
  }

  /** A verdict read from {@code observer}. */
  public static ObserverReading of(String observer, ObservedVerdict verdict) {
    return new ObserverReading(observer, Optional.of(verdict), "");
  }

  /** No verdict from {@code observer}, and why. */
  public static ObserverReading failed(String observer, String problem) {
    return new ObserverReading(observer, Optional.empty(), problem);
  }
}
