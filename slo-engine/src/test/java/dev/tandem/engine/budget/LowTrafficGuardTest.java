package dev.tandem.engine.budget;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a page tier (14.4 x a 0.1% budget = 1.44% errors) does at 3, 30 and 3,000 events. */
class LowTrafficGuardTest {
  private static final double PAGE_THRESHOLD = 0.0144;

  @ParameterizedTest(name = "{0} bad of {1}: fires={2}")
  @CsvSource({
      // 3 events: one failure is a 23x burn, not evidence; two are not enough either; three of three are.
      "0, 3, false",
      "1, 3, false",
      "2, 3, false",
      "3, 3, true",
      // 30 events: 1 (3.3%) and 2 (6.7%) could be chance at 1.44%; 3 (10%) is not.
      "1, 30, false",
      "2, 30, false",
      "3, 30, true",
      // 3,000 events: 1.5% is barely over and not significant; 2.5% is.
      "45, 3000, false",
      "75, 3000, true",
      // At or under the threshold never fires, whatever the volume.
      "432, 30000, false",
      "1440, 100000, false",
      "1441, 100000, true",
  })
  void firesOnlyOnEvidence(long bad, long total, boolean fires) {
    assertThat(LowTrafficGuard.exceeds(bad, total, PAGE_THRESHOLD)).isEqualTo(fires);
  }

  @ParameterizedTest(name = "ticket tier: {0} bad of {1}: fires={2}")
  @CsvSource({
      // Against 0.1% errors a single failure is statistically significant; it is still one failure.
      "1, 3, false",
      "2, 30, false",
      "3, 30, true",
      "4, 3000, false",
      "12, 3000, true",
  })
  void tinyThresholdsStillNeedSeveralErrors(long bad, long total, boolean fires) {
    assertThat(LowTrafficGuard.exceeds(bad, total, 0.001)).isEqualTo(fires);
  }
}
