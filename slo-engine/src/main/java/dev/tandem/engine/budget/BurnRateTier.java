package dev.tandem.engine.budget;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One multi-window burn-rate alert (Google SRE Workbook, "Alerting on SLOs"): it fires when the
 * error ratio over both windows exceeds {@code factor x (1 - objective)}.
 *
 * @param budgetFraction the share of the period's budget spent when it fires after its long window
 * @param factor the burn rate threshold, {@code budgetFraction x period / long}, exactly
 */
public record BurnRateTier(String name, String severity, Duration longWindow, Duration shortWindow,
    BigDecimal budgetFraction, BigDecimal factor) {

  public static final String PAGE = "page";
  public static final String TICKET = "ticket";
  static final Duration THIRTY_DAYS = Duration.ofDays(30);
  /** Below this period the standard windows do not fit; they shrink with the period instead. */
  static final Duration FIXED_WINDOWS_FROM = Duration.ofDays(7);

  public BurnRateTier {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(severity, "severity");
    if (shortWindow.compareTo(longWindow) >= 0) {
      throw new IllegalArgumentException(name + ": the short window must be shorter than the long one");
    }
  }

  /** The error-ratio threshold: {@code factor x budget}, exact. */
  public BigDecimal threshold(BigDecimal budget) {
    return factor.multiply(budget);
  }

  /**
   * The four tiers for an SLO period. For periods of 7 days and more the windows are the SRE
   * Workbook's (1h/5m, 6h/30m, 1d/2h, 3d/6h) and the factors follow from the budget fractions (2%,
   * 5%, 10%, 10%): 14.4, 6, 3, 1 for 30 days, 13.44, 5.6, 2.8, 0.9333... for 28. Shorter periods
   * (minutes for demos and tests) scale the windows by {@code period / 30d}, which keeps the
   * 30-day factors.
   */
  public static List<BurnRateTier> forPeriod(Duration period) {
    boolean fixed = period.compareTo(FIXED_WINDOWS_FROM) >= 0;
    return List.of(
        tier("page-fast", PAGE, Duration.ofHours(1), Duration.ofMinutes(5), "0.02", period, fixed),
        tier("page-slow", PAGE, Duration.ofHours(6), Duration.ofMinutes(30), "0.05", period, fixed),
        tier("ticket-fast", TICKET, Duration.ofDays(1), Duration.ofHours(2), "0.10", period, fixed),
        tier("ticket-slow", TICKET, Duration.ofDays(3), Duration.ofHours(6), "0.10", period, fixed));
  }

  private static BurnRateTier tier(String name, String severity, Duration longWindow, Duration shortWindow,
      String fraction, Duration period, boolean fixed) {
    Duration l = fixed ? longWindow : scale(longWindow, period);
    Duration s = fixed ? shortWindow : scale(shortWindow, period);
    BigDecimal f = new BigDecimal(fraction);
    // Scaled windows keep the 30-day factor exactly (the rounding of a window to milliseconds must
    // not leak into the threshold).
    BigDecimal basis = BigDecimal.valueOf(fixed ? period.toMillis() : THIRTY_DAYS.toMillis());
    BigDecimal factor = f.multiply(basis)
        .divide(BigDecimal.valueOf(longWindow.toMillis()), MathContext.DECIMAL64).stripTrailingZeros();
    return new BurnRateTier(name, severity, l, s, f, factor);
  }

  private static Duration scale(Duration window, Duration period) {
    BigDecimal millis = BigDecimal.valueOf(window.toMillis()).multiply(BigDecimal.valueOf(period.toMillis()))
        .divide(BigDecimal.valueOf(THIRTY_DAYS.toMillis()), 0, RoundingMode.HALF_UP);
    return Duration.ofMillis(Math.max(100, millis.longValueExact()));
  }
}
