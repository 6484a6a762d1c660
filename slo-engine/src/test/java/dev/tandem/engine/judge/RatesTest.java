package dev.tandem.engine.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RatesTest {
  /** Commons Math's own Wilson interval is the oracle (failures as its "successes"). */
  @Property(tries = 500)
  void wilsonBoundsAreCommonsMathsInterval(@ForAll @IntRange(min = 1, max = 5000) int total,
      @ForAll @IntRange(min = 0, max = 5000) int failedRaw) {
    int failed = failedRaw % (total + 1);
    ConfidenceInterval oracle = new WilsonScoreInterval().createInterval(total, failed, Rates.CONFIDENCE);
    assertThat(Rates.lower(failed, total)).isCloseTo(Math.max(0, oracle.getLowerBound()), within(1e-9));
    assertThat(Rates.upper(failed, total)).isCloseTo(Math.min(1, oracle.getUpperBound()), within(1e-9));
  }

  /** A brute-force hypergeometric tail is the oracle for Fisher's one-sided p-value. */
  @Property(tries = 300)
  void fisherIsTheHypergeometricTail(@ForAll @IntRange(min = 1, max = 60) int aTotal,
      @ForAll @IntRange(min = 0, max = 60) int aFailedRaw, @ForAll @IntRange(min = 1, max = 60) int bTotal,
      @ForAll @IntRange(min = 0, max = 60) int bFailedRaw) {
    int aFailed = aFailedRaw % (aTotal + 1);
    int bFailed = bFailedRaw % (bTotal + 1);
    int n = aTotal + bTotal;
    int k = aFailed + bFailed;
    double expected;
    if (aFailed == 0 || k == n) {
      expected = 1.0;
    } else {
      double tail = 0;
      for (int x = aFailed; x <= Math.min(k, aTotal); x++) {
        tail += Math.exp(logChoose(k, x) + logChoose(n - k, aTotal - x) - logChoose(n, aTotal));
      }
      expected = tail;
    }
    assertThat(Rates.higherP(aFailed, aTotal, bFailed, bTotal)).isCloseTo(expected, within(1e-9));
  }

  private static double logChoose(int n, int k) {
    if (k < 0 || k > n) {
      return Double.NEGATIVE_INFINITY;
    }
    double s = 0;
    for (int i = 1; i <= k; i++) {
      s += Math.log(n - k + i) - Math.log(i);
    }
    return s;
  }

  @ParameterizedTest(name = "{0} of {1}: lower {2}")
  @CsvSource({
      // One failure of one is still "at least 21%": why the judge also wants two failed runs;
      // four of four is more than a half; 30% over 12 runs straddles the 20% threshold, over 120
      // runs it does not.
      "1, 1, 0.21",
      "4, 4, 0.51",
      "4, 12, 0.13",
      "36, 120, 0.22",
      "0, 100, 0.0"})
  void lowerBoundsAtTheJudgesScale(long failed, long total, double lower) {
    assertThat(Rates.lower(failed, total)).isCloseTo(lower, within(0.01));
  }

  @ParameterizedTest(name = "{0}/{1} vs {2}/{3}")
  @CsvSource({
      // A vantage losing half its runs against others losing none: significant quickly.
      "6, 12, 0, 36, true",
      // Two failures among twelve against none among 36: not yet.
      "2, 12, 0, 36, false",
      // The same rate on both sides is never significant.
      "30, 100, 60, 200, false"})
  void higherNeedsAnExactlySignificantDifference(long af, long at, long bf, long bt, boolean higher) {
    assertThat(Rates.higher(af, at, bf, bt)).isEqualTo(higher);
  }

  @org.junit.jupiter.api.Test
  void noDataMeansNothingIsKnown() {
    assertThat(Rates.lower(0, 0)).isZero();
    assertThat(Rates.upper(0, 0)).isEqualTo(1.0);
    assertThat(Rates.higherP(0, 0, 1, 1)).isEqualTo(1.0);
  }
}
