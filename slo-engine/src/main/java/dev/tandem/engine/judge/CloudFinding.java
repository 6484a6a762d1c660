package dev.tandem.engine.judge;

import dev.tandem.engine.verdict.Evidence;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import java.util.List;

/**
 * What the evidence says about one cloud at one instant, before hysteresis.
 *
 * @param rule the row of the classifier's table that named the fault
 * @param cloudWide the row counts towards the hold-down (failing as seen by a quorum)
 * @param probesPass a failure domain not blamed sees this cloud's journeys work now
 * @param recovered no failure domain sees the cloud failing, and over all of them the recent
 *     journey-run failure rate is under half the brownout threshold
 * @param summary the heart of the reason sentence, e.g. "3 independent vantages see it fail"
 * @param blamedVantages vantages whose results were set aside as a vantage fault
 * @param skewedVantages vantages whose results were refused because their clock runs ahead
 * @param signals the table's inputs, for tests and explanations
 */
record CloudFinding(ClassifierRule rule, Health health, Fault fault, boolean cloudWide, boolean probesPass,
    boolean recovered, List<Evidence> evidence, String summary, List<String> blamedVantages, List<String> skewedVantages,
    CloudSignals signals) {
  CloudFinding {
    evidence = List.copyOf(evidence);
    blamedVantages = List.copyOf(blamedVantages);
    skewedVantages = List.copyOf(skewedVantages);
  }
}
