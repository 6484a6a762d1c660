package dev.tandem.engine.slo;

import java.util.Map;
import java.util.Objects;

/**
 * Which observations an SLI counts ({@code metricSource: {type: tandem, spec: ...}}). Empty
 * filters match anything.
 *
 * <ul>
 *   <li>{@code probe}: synthetic probe steps, by journey, step and vantage; good = the step passed;
 *   <li>{@code span}: server spans the collectors aggregated, by service and span name;
 *       good = not status ERROR;
 *   <li>{@code histogram}: {@code http.server.request.duration} points, by service and route;
 *       good = status below 500;
 *   <li>{@code sli}: pre-computed {@code sli} observations that name this SLO.
 * </ul>
 */
public record Selector(Source source, Map<String, String> filters) {
  /** What a selector reads. */
  public enum Source { PROBE, SPAN, HISTOGRAM, SLI }

  public static final String JOURNEY = "journey";
  public static final String STEP = "step";
  public static final String VANTAGE = "vantage";
  public static final String SERVICE = "service";
  public static final String OPERATION = "operation";
  /** For {@code sli}: the SLO whose pre-computed observations count (the OpenSLO SLO's name). */
  public static final String SLO = "slo";

  public Selector {
    Objects.requireNonNull(source, "source");
    filters = Map.copyOf(filters);
  }

  public String filter(String key) {
    return filters.get(key);
  }
}
