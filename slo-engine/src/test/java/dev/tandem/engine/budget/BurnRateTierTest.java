package dev.tandem.engine.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BurnRateTierTest {
  @ParameterizedTest
  @CsvSource({
      "30, 14.4, 6, 3, 1",
      "28, 13.44, 5.6, 2.8, 0.9333333333333333",
      "7, 3.36, 1.4, 0.7, 0.2333333333333333",
  })
  void factorsKeepTheBudgetFractionForThePeriod(int days, String f1, String f2, String f3, String f4) {
    List<BurnRateTier> tiers = BurnRateTier.forPeriod(Duration.ofDays(days));
    assertThat(tiers).extracting(t -> t.factor().toPlainString()).containsExactly(f1, f2, f3, f4);
    assertThat(tiers).extracting(BurnRateTier::longWindow)
        .containsExactly(Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1), Duration.ofDays(3));
    assertThat(tiers).extracting(BurnRateTier::severity).containsExactly("page", "page", "ticket", "ticket");
  }

  @ParameterizedTest
  @CsvSource({
      "0.999, 0.0144",
      "0.9995, 0.00720",
      "0.99, 0.144",
  })
  void thresholdsAreExactNotFloatingPoint(String objective, String expected) {
    BurnRateTier page = BurnRateTier.forPeriod(Duration.ofDays(30)).get(0);
    BigDecimal budget = BigDecimal.ONE.subtract(new BigDecimal(objective));
    assertThat(page.threshold(budget)).isEqualByComparingTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
      "PT1H, 5000, 416",
      "PT24H, 120000, 10000",
  })
  void shortPeriodsScaleTheWindowsAndKeepThirtyDayFactors(String period, long longMs, long shortMs) {
    List<BurnRateTier> tiers = BurnRateTier.forPeriod(Duration.parse(period));
    assertThat(tiers.get(0).longWindow().toMillis()).isEqualTo(longMs);
    assertThat(tiers.get(0).shortWindow().toMillis()).isBetween(shortMs - 1, shortMs + 1);
    assertThat(tiers).extracting(t -> t.factor().toPlainString()).containsExactly("14.4", "6", "3", "1");
  }
}
