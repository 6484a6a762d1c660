package dev.tandem.engine.slo;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The SLO's compliance period: rolling (the last {@code duration}) or calendar-aligned (periods of
 * {@code count x unit} starting at {@code start} in {@code zone}, e.g. every month).
 *
 * @param duration the rolling length, or a calendar period's nominal length (a month counts 30 days
 *     where a length is needed, e.g. for burn-rate tiers)
 * @param unit for calendar windows: DAYS, WEEKS, MONTHS, YEARS (a quarter is 3 MONTHS)
 */
public record SloWindow(Duration duration, boolean rolling, long count, ChronoUnit unit,
    LocalDateTime start, ZoneId zone) {

  public SloWindow {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("an SLO window must be longer than zero");
    }
    if (!rolling) {
      Objects.requireNonNull(unit, "unit");
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(zone, "zone");
      if (count < 1) {
        throw new IllegalArgumentException("a calendar window needs a count >= 1");
      }
    }
  }

  public static SloWindow rolling(Duration duration) {
    return new SloWindow(duration, true, 0, null, null, null);
  }

  public static SloWindow calendar(long count, ChronoUnit unit, LocalDateTime start, ZoneId zone) {
    Duration nominal = unit == ChronoUnit.MONTHS ? Duration.ofDays(30 * count)
        : unit == ChronoUnit.YEARS ? Duration.ofDays(365 * count)
        : unit.getDuration().multipliedBy(count);
    return new SloWindow(nominal, false, count, unit, start, zone);
  }
}
