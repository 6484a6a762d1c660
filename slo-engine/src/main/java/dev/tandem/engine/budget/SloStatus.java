package dev.tandem.engine.budget;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where one SLO stands in one cloud (the body of {@code GET /api/v1/slos}).
 *
 * @param sli the good ratio over the SLO window; null without events
 * @param budgetRemaining 1 = untouched, 0 = spent, negative = overspent
 * @param budgetRemainingEvents allowed bad events (or slices) left in the window
 * @param burnRates per window (e.g. "5m"), the error ratio divided by the budget
 * @param timeToExhaustion at the page-fast long window's burn rate; null when not burning
 */
public record SloStatus(String slo, String cloud, String objective, String window, String method,
    long good, long total, Double sli, double budgetRemaining, double budgetRemainingEvents,
    Map<String, Double> burnRates, List<TierState> tiers, Duration timeToExhaustion, long excluded) {

  /**
   * One burn-rate tier's state.
   *
   * @param exhaustion how long the whole budget lasts at this tier's burn rate (period / factor),
   *     the label Pyrra puts on its alerts
   */
  public record TierState(String name, String severity, String longWindow, String shortWindow,
      String factor, String threshold, String exhaustion, double longBurn, double shortBurn, boolean firing) {}

  public List<TierState> firing() {
    return tiers.stream().filter(TierState::firing).toList();
  }
}
