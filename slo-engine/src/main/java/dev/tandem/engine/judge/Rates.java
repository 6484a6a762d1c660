package dev.tandem.engine.judge;

import org.apache.commons.math3.distribution.HypergeometricDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The statistics the judge decides with: confidence bounds on failure rates (Wilson score
 * interval) and an exact test for "this rate is higher than that one" (Fisher's, one-sided).
 *
 * <p>The Wilson bounds use the normal quantile from Commons Math, computed once; the interval is
 * the one {@code org.apache.commons.math3.stat.interval.WilsonScoreInterval} gives (a test holds
 * the two together), without its per-call set-up, since the judge asks for hundreds of bounds a
 * tick. Two-sided level {@link #CONFIDENCE}: each bound alone holds with 97.5%.
 */
final class Rates {
  /** Two-sided confidence level of every interval the judge uses. */
  static final double CONFIDENCE = 0.95;
  /** Significance of the exact tests (vantage blame, concentration). */
  static final double ALPHA = 0.01;

  private static final double Z =
      new NormalDistribution(null, 0, 1).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2);
  private static final double Z2 = Z * Z;

  private Rates() {}

  /** Lower Wilson bound of {@code failed / total}; 0 without data. */
  static double lower(long failed, long total) {
    if (total <= 0) {
      return 0.0;
    }
    return Math.max(0.0, bound(failed, total, -1));
  }

  /** Upper Wilson bound of {@code failed / total}; 1 without data (nothing is known). */
  static double upper(long failed, long total) {
    if (total <= 0) {
      return 1.0;
    }
    return Math.min(1.0, bound(failed, total, 1));
  }

  /** The observed rate; {@code fallback} without data. */
  static double rate(long failed, long total, double fallback) {
    return total <= 0 ? fallback : (double) failed / total;
  }

  private static double bound(long failed, long total, int sign) {
    double n = total;
    double p = failed / n;
    double centre = p + Z2 / (2 * n);
    double spread = Z * Math.sqrt(p * (1 - p) / n + Z2 / (4 * n * n));
    return (centre + sign * spread) / (1 + Z2 / n);
  }

  /**
   * Fisher's exact test, one-sided: how likely is a failure count of {@code aFailed} or more in
   * sample A if A and B fail at the same rate? Small values mean A fails more than B.
   */
  static double higherP(long aFailed, long aTotal, long bFailed, long bTotal) {
    if (aTotal <= 0 || bTotal <= 0 || aFailed <= 0) {
      return 1.0;
    }
    long population = aTotal + bTotal;
    long failures = aFailed + bFailed;
    if (population > Integer.MAX_VALUE) {
      // Beyond int range, scale both samples down alike: the judge's windows never get there.
      double f = (double) Integer.MAX_VALUE / population / 2;
      return higherP(Math.round(aFailed * f), Math.round(aTotal * f), Math.round(bFailed * f),
          Math.round(bTotal * f));
    }
    if (failures >= population) {
      return 1.0;
    }
    HypergeometricDistribution h =
        new HypergeometricDistribution(null, (int) population, (int) failures, (int) aTotal);
    return h.upperCumulativeProbability((int) aFailed);
  }

  /** Whether A fails significantly more often than B (Fisher, one-sided, {@link #ALPHA}). */
  static boolean higher(long aFailed, long aTotal, long bFailed, long bTotal) {
    return higherP(aFailed, aTotal, bFailed, bTotal) < ALPHA;
  }
}
