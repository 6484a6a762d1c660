package dev.tandem.engine.judge;

/**
 * The inputs of the classifier's table ({@link ClassifierRule}) for one cloud at one instant,
 * each already decided on counts over a window and a confidence bound (see {@link CloudClassifier}).
 *
 * @param seen at least one independent vantage (failure domain) has probe results for the cloud
 * @param failingQuorum at least {@code quorum} independent failure domains, none blamed, see the
 *     cloud's journey runs fail at {@code engine.brownoutErrorRate} or more (lower confidence
 *     bound over the recent part of the probe window or over all of it) and still failing now
 * @param concentrated the failures sit in one or two steps (a component, or a few sharing a
 *     dependency): those steps fail significantly more than the rest (an exact test), the rest is
 *     significantly healthy, and the rest works now
 * @param spreadBelowThreshold failures spread over several steps, seen from a quorum of failure
 *     domains, significant over all of them together, but short of the brownout threshold
 * @param component a concentrated step failure, a service erring in the cloud's own telemetry,
 *     or an SLO of the domain burning at a paging rate
 * @param vantageFault a vantage is blamed (it fails significantly more than the others, or for
 *     both clouds), or its clock runs so far ahead that its results are refused
 * @param silentPath a telemetry path of the cloud is silent
 * @param working a failure domain not blamed sees the cloud's journeys pass now
 */
record CloudSignals(boolean seen, boolean failingQuorum, boolean concentrated, boolean spreadBelowThreshold,
    boolean component, boolean vantageFault, boolean silentPath, boolean working) {}
