package dev.tandem.engine.budget;

import org.apache.commons.math3.distribution.BinomialDistribution;

/**
 * Whether an observed error ratio is evidence that the true ratio exceeds a threshold. At 10
 * requests an hour one failure is a 1000x burn on a 99.9% SLO; one failure is not evidence. The
 * test is exact: under the null hypothesis that the error ratio is the threshold, how likely is
 * seeing this many errors or more? Below {@link #ALPHA} it is evidence. Against a tiny threshold
 * (a ticket tier on a 99.9% SLO) a single error is already "significant", so at least
 * {@link #MIN_BAD} errors are needed too, the way synthetic checkers want three failures before
 * they call a check down. From {@link #LARGE_SAMPLE} events on, the observed ratio stands on its
 * own (the test would agree, at a cost).
 */
final class LowTrafficGuard {
  static final double ALPHA = 0.01;
  static final long LARGE_SAMPLE = 100_000;
  static final long MIN_BAD = 3;

  private LowTrafficGuard() {}

  static boolean exceeds(long bad, long total, double threshold) {
    if (total <= 0 || bad < MIN_BAD || threshold >= 1.0) {
      return false;
    }
    if ((double) bad / total <= threshold) {
      return false;
    }
    if (threshold <= 0) {
      return true;
    }
    if (total >= LARGE_SAMPLE || total > Integer.MAX_VALUE) {
      return true;
    }
    BinomialDistribution null0 = new BinomialDistribution(null, (int) total, threshold);
    double pValue = 1.0 - null0.cumulativeProbability((int) bad - 1);
    return pValue < ALPHA;
  }
}
