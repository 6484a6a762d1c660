package dev.tandem.engine.judge;

import dev.tandem.engine.verdict.Evidence;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import java.util.List;

/**
 * What the evidence says about one cloud at one instant, before hysteresis.
 *
 * @param cloudWide failing as seen by at least a quorum of independent vantages
 * @param probesPass at least one vantage sees this cloud's journeys work
 * @param summary the heart of the reason sentence, e.g. "3 independent vantages see it fail"
 */
record CloudFinding(Health health, Fault fault, boolean cloudWide, boolean probesPass,
    List<Evidence> evidence, String summary) {}
