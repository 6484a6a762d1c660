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
 * @param coverage the share of the SLO window (or of the calendar period so far) that Tandem has
 *     watched. Burn rates count the unwatched part of a window as having spent no budget, so that
 *     a fresh observer and an old one agree on the same recent events; the budget itself is over
 *     the events seen (the usual definition)
 * @param lastEventAt when the latest event was counted; null before the first
 * @param noData no events for {@code SloSeries.NO_DATA_WINDOW} (the no-data rule): the budget
 *     figures then describe the past, not the present
 */
public record SloStatus(String slo, String cloud, String objective, String window, String method,
    long good, long total, Double sli, double budgetRemaining, double budgetRemainingEvents,
    Map<String, Double> burnRates, List<TierState> tiers, Duration timeToExhaustion, long excluded,
    double coverage, java.time.Instant lastEventAt, boolean noData) {

  public SloStatus(String slo, String cloud, String objective, String window, String method,
      long good, long total, Double sli, double budgetRemaining, double budgetRemainingEvents,
      Map<String, Double> burnRates, List<TierState> tiers, Duration timeToExhaustion, long excluded) {
    this(slo, cloud, objective, window, method, good, total, sli, budgetRemaining, budgetRemainingEvents,
        burnRates, tiers, timeToExhaustion, excluded, 1.0, null, false);
  }

  /**
   * Whether no events arrived for {@code silence} before {@code now}: shown as "no data" rather
   * than as a healthy budget (a dark cloud's SLOs are not good, they are unknown).
   */
  public boolean silentFor(java.time.Duration silence, java.time.Instant now) {
    return lastEventAt == null || lastEventAt.plus(silence).isBefore(now);
  }

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
