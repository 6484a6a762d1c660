package dev.tandem.engine.slo;

/** How an SLO counts its budget (OpenSLO {@code budgetingMethod}). */
public enum BudgetingMethod {
  /** Good events over all events in the window. */
  OCCURRENCES,
  /** Good time slices over all slices; a slice is good when its ratio meets {@code timeSliceTarget}. */
  TIMESLICES,
  /** The mean of the slices' ratios. */
  RATIO_TIMESLICES
}
