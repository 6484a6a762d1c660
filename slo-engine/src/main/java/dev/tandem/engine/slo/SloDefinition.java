package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.SourceLocation;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * An OpenSLO {@code SLO} as written, its references not yet resolved (see
 * {@link OpenSloCatalog#indicator(SloDefinition)} and {@link OpenSloCatalog#alertPolicies(String)}).
 *
 * @param description free text, or null
 * @param service the {@code service} it belongs to (a name; OpenSLO does not require a Service object)
 * @param at where the SLO's {@code metadata.name} stands
 */
public record SloDefinition(OpenSloMetadata metadata, String description, String service,
    OpenSloLink<SliDefinition> indicator, TimeWindow timeWindow, BudgetingMethod budgetingMethod,
    List<Objective> objectives, List<OpenSloLink<AlertPolicyDefinition>> alertPolicies,
    SourceLocation at) {

  /**
   * The compliance period: rolling ({@code isRolling: true}) or calendar-aligned (with
   * {@code calendar: {startTime, timeZone}}).
   *
   * @param start for calendar windows, the local start time in {@code zone}; else null
   */
  public record TimeWindow(OpenSloDuration duration, boolean rolling, LocalDateTime start,
      ZoneId zone, SourceLocation at) {
    public TimeWindow {
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(at, "at");
      if (!rolling) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(zone, "zone");
        if (!duration.isCalendar()) {
          throw new IllegalArgumentException("a calendar window cannot last " + duration);
        }
      } else if (start != null || zone != null) {
        throw new IllegalArgumentException("a rolling window has no calendar");
      }
    }

    /** The window as the engine uses it; in a calendar window {@code m} means months (issue #267). */
    public SloWindow toSloWindow() {
      return rolling ? SloWindow.rolling(duration.toDuration())
          : SloWindow.calendar(duration.calendarCount(), duration.calendarUnit(), start, zone);
    }
  }

  /**
   * One objective. {@code targetPercent} is read into {@code target} exactly (99.9 becomes 0.999).
   *
   * @param op {@code lt}, {@code lte}, {@code gt}, {@code gte}, or null
   * @param value for a thresholdMetric: the threshold, as written; else usually null
   * @param target strictly between 0 and 1, exactly as written
   * @param timeSliceTarget for Timeslices: the ratio a slice needs to be good; else as written or null
   * @param timeSliceWindow for Timeslices and RatioTimeslices; else as written or null
   * @param at where the objective starts; {@code opAt}, {@code valueAt} where those stand, or null
   */
  public record Objective(String displayName, String op, BigDecimal value, BigDecimal target,
      BigDecimal timeSliceTarget, Duration timeSliceWindow, SourceLocation at, SourceLocation opAt,
      SourceLocation valueAt) {
    public Objective {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(at, "at");
      if (target.signum() <= 0 || target.compareTo(BigDecimal.ONE) >= 0) {
        throw new IllegalArgumentException("target must be strictly between 0 and 1: " + target);
      }
      if (op != null && !List.of("lt", "lte", "gt", "gte").contains(op)) {
        throw new IllegalArgumentException("unknown op " + op);
      }
      if (timeSliceTarget != null
          && (timeSliceTarget.signum() <= 0 || timeSliceTarget.compareTo(BigDecimal.ONE) > 0)) {
        throw new IllegalArgumentException("timeSliceTarget must be in (0, 1]: " + timeSliceTarget);
      }
      if (timeSliceWindow != null && (timeSliceWindow.isNegative() || timeSliceWindow.isZero())) {
        throw new IllegalArgumentException("timeSliceWindow must be positive");
      }
    }
  }

  public SloDefinition {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(indicator, "indicator");
    Objects.requireNonNull(timeWindow, "timeWindow");
    Objects.requireNonNull(budgetingMethod, "budgetingMethod");
    Objects.requireNonNull(at, "at");
    objectives = List.copyOf(objectives);
    alertPolicies = List.copyOf(alertPolicies);
    if (objectives.isEmpty()) {
      throw new IllegalArgumentException("an SLO needs at least one objective");
    }
    for (Objective o : objectives) {
      if (budgetingMethod != BudgetingMethod.OCCURRENCES && o.timeSliceWindow() == null) {
        throw new IllegalArgumentException(budgetingMethod + " needs a timeSliceWindow");
      }
      if (budgetingMethod == BudgetingMethod.TIMESLICES && o.timeSliceTarget() == null) {
        throw new IllegalArgumentException("TIMESLICES needs a timeSliceTarget");
      }
    }
  }

  public String name() {
    return metadata.name();
  }
}
