package dev.tandem.engine.slo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OpenSloDurationTest {
  @ParameterizedTest(name = "{0} lasts {1}")
  @CsvSource({
      "1m, PT1M", "5m, PT5M", "90m, PT1H30M", "1h, PT1H", "36h, PT36H", "1d, PT24H", "28d, PT672H",
      "1w, PT168H", "2w, PT336H", "1M, PT720H", "1Q, PT2160H", "1Y, PT8760H", " 7d , PT168H"})
  void shorthandHasItsFixedLength(String text, Duration expected) {
    assertThat(OpenSloDuration.parse(text)).get()
        .extracting(OpenSloDuration::toDuration).isEqualTo(expected);
  }

  @ParameterizedTest(name = "''{0}'' is not a duration")
  @ValueSource(strings = {"", "m", "0d", "-1d", "1.5h", "1s", "1D", "1y", "1 d", "d1", "1dd", "10000000000d"})
  void malformedShorthandIsRejected(String text) {
    assertThat(OpenSloDuration.parse(text)).isEmpty();
  }

  @ParameterizedTest(name = "a calendar window of {0} is {1} x {2}")
  @CsvSource({"1d, 1, DAYS", "1w, 1, WEEKS", "1M, 1, MONTHS", "1m, 1, MONTHS", "2m, 2, MONTHS",
      "1Q, 3, MONTHS", "2Q, 6, MONTHS", "1Y, 1, YEARS"})
  void calendarWindowsCountCalendarUnitsAndReadLowercaseMAsMonths(String text, long count, ChronoUnit unit) {
    OpenSloDuration d = OpenSloDuration.parse(text).orElseThrow();
    assertThat(d.isCalendar()).isTrue();
    assertThat(d.calendarCount()).isEqualTo(count);
    assertThat(d.calendarUnit()).isEqualTo(unit);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1h", "24h"})
  void hoursAreNoCalendarLength(String text) {
    assertThat(OpenSloDuration.parse(text).orElseThrow().isCalendar()).isFalse();
  }
}
