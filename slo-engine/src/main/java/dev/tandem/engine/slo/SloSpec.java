package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Objects;

/**
 * One SLO objective as the engine computes it, compiled from an OpenSLO {@code SLO} document
 * (one per objective: an SLO with two objectives becomes two specs, the second named
 * {@code name/objective-display-name}).
 *
 * @param target the objective as an exact decimal (0.999), so that 1 - target is exact
 * @param timeSliceTarget for TIMESLICES: the ratio a slice needs to count as good; else null
 * @param timeSliceWindow for TIMESLICES and RATIO_TIMESLICES: the slice length; else null
 * @param latencyThresholdMs for a threshold (latency) SLI: good means faster than this; else null
 */
public record SloSpec(String name, String displayName, String service, SloWindow window,
    BudgetingMethod method, BigDecimal target, BigDecimal timeSliceTarget, Duration timeSliceWindow,
    Selector selector, Double latencyThresholdMs, SourceLocation at) {

  public SloSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(selector, "selector");
    if (target.signum() <= 0 || target.compareTo(BigDecimal.ONE) >= 0) {
      throw new IllegalArgumentException("SLO " + name + ": target must be strictly between 0 and 1");
    }
    if (method != BudgetingMethod.OCCURRENCES && timeSliceWindow == null) {
      throw new IllegalArgumentException("SLO " + name + ": " + method + " needs a timeSliceWindow");
    }
    if (method == BudgetingMethod.TIMESLICES && timeSliceTarget == null) {
      throw new IllegalArgumentException("SLO " + name + ": TIMESLICES needs a timeSliceTarget");
    }
  }

  /** The error budget as a ratio, exactly: {@code 1 - target}. */
  public BigDecimal budget() {
    return BigDecimal.ONE.subtract(target);
  }
}
