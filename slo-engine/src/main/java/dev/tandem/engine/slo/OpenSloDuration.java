package dev.tandem.engine.slo;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenSLO duration shorthand, {@code {n}{m|h|d|w|M|Q|Y}}: a positive whole number and a
 * case-sensitive unit (minutes, hours, days, weeks, months, quarters, years).
 *
 * <p>Where a fixed length is needed (rolling windows, time slices, alert look-back windows), a
 * month counts 30 days, a quarter 90 and a year 365, as the OpenSLO Go SDK counts them. Calendar
 * windows keep the unit instead ({@link #calendarCount()}, {@link #calendarUnit()}).
 */
public record OpenSloDuration(long count, char unit) {
  private static final Pattern SHORTHAND = Pattern.compile("([0-9]{1,9})([mhdwMQY])");
  /** What {@link #parse} accepts, for messages. */
  public static final String FORM = "a whole number and one of m, h, d, w, M, Q, Y (e.g. 5m, 1h, 28d, 1M)";

  public OpenSloDuration {
    if (count < 1) {
      throw new IllegalArgumentException("a duration must be at least 1, found " + count);
    }
    if ("mhdwMQY".indexOf(unit) < 0) {
      throw new IllegalArgumentException("unknown duration unit '" + unit + "'");
    }
  }

  /** The shorthand, or empty if {@code text} is not one. */
  public static Optional<OpenSloDuration> parse(String text) {
    Matcher m = SHORTHAND.matcher(text.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) < 1) {
      return Optional.empty();
    }
    return Optional.of(new OpenSloDuration(Long.parseLong(m.group(1)), m.group(2).charAt(0)));
  }

  /** The fixed length: {@code m} is minutes here; months, quarters and years are nominal. */
  public Duration toDuration() {
    switch (unit) {
      case 'm':
        return Duration.ofMinutes(count);
      case 'h':
        return Duration.ofHours(count);
      case 'd':
        return Duration.ofDays(count);
      case 'w':
        return Duration.ofDays(7 * count);
      case 'M':
        return Duration.ofDays(30 * count);
      case 'Q':
        return Duration.ofDays(90 * count);
      default:
        return Duration.ofDays(365 * count);
    }
  }

  /**
   * Whether this can be a calendar window's length: days, weeks, months, quarters or years. A
   * lowercase {@code m} counts as months here (see {@link #calendarUnit()}).
   */
  public boolean isCalendar() {
    return unit != 'h';
  }

  /**
   * The calendar unit. {@code m} reads as <em>months</em>: the OpenSLO specification's own
   * calendar example writes {@code 1m} for "a month" (OpenSLO issue #267), and a calendar window
   * of minutes means nothing.
   */
  public ChronoUnit calendarUnit() {
    switch (unit) {
      case 'd':
        return ChronoUnit.DAYS;
      case 'w':
        return ChronoUnit.WEEKS;
      case 'm':
      case 'M':
      case 'Q':
        return ChronoUnit.MONTHS;
      case 'Y':
        return ChronoUnit.YEARS;
      default:
        throw new IllegalStateException("'" + this + "' is not a calendar length");
    }
  }

  /** The number of {@link #calendarUnit()}s: a quarter is three months. */
  public long calendarCount() {
    return unit == 'Q' ? 3 * count : count;
  }

  @Override
  public String toString() {
    return count + String.valueOf(unit);
  }
}
