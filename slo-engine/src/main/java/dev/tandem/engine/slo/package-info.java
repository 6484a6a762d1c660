/**
 * SLO definitions: OpenSLO v1 in, {@link dev.tandem.engine.slo.SloSpec}s out.
 *
 * <h2>Reading OpenSLO v1</h2>
 *
 * <p>{@link dev.tandem.engine.slo.OpenSloCatalog#read} reads every kind of OpenSLO v1: {@code SLO},
 * {@code SLI}, {@code Service}, {@code DataSource}, {@code AlertPolicy}, {@code AlertCondition} and
 * {@code AlertNotificationTarget}. A file may hold one document, several {@code ---} separated
 * documents, or a top-level YAML list of documents. OpenSLO is strict, and so is Tandem: an unknown
 * key, a missing required field, a value of the wrong shape, a second object of the same kind and
 * name, or a reference ({@code indicatorRef}, {@code alertPolicyRef}, {@code conditionRef},
 * {@code targetRef}) to an object that none of the files defines is a problem reported as
 * {@code FILE:LINE:COL: message}, all problems at once, never an exception. A dangling reference
 * is reported where it stands, in the words of the OpenSLO Go SDK:
 * {@code SLO 'my-slo': SLI 'no-sli' referenced at 'spec.indicatorRef' does not exist in the files read}.
 * {@code metricSourceRef} is not a checked reference: it only lends a {@code DataSource}'s
 * {@code type} to a metric source that has none.
 *
 * <p>What is read, per the specification and its Go SDK: {@code metadata} ({@code name}, an RFC
 * 1123 label; {@code displayName}; {@code labels}, a string or a list of strings per key;
 * {@code annotations}); an SLO's {@code indicator} written in place or {@code indicatorRef};
 * {@code ratioMetric} ({@code counter}; {@code good} or {@code bad} over {@code total}; or
 * {@code raw} with {@code rawType}) and {@code thresholdMetric}; {@code metricSource}
 * ({@code type}, {@code metricSourceRef}, {@code spec}); exactly one {@code timeWindow}, rolling
 * ({@code duration}, {@code isRolling: true}) or calendar-aligned ({@code isRolling: false},
 * {@code calendar: {startTime: "2022-01-01 12:00:00", timeZone: America/New_York}});
 * {@code budgetingMethod} {@code Occurrences}, {@code Timeslices} or {@code RatioTimeslices};
 * objectives ({@code displayName}, {@code op}, {@code value}, {@code target} or
 * {@code targetPercent}, {@code timeSliceTarget}, required for Timeslices, and
 * {@code timeSliceWindow}, required for both timeslice methods, a duration or a number of
 * minutes); {@code alertPolicies} written in place or {@code alertPolicyRef}; an AlertPolicy's
 * single condition ({@code conditionRef} or in place) and its notification targets
 * ({@code targetRef} or in place); an AlertCondition's {@code severity} and {@code condition:
 * {kind: burnrate, op, threshold, lookbackWindow, alertAfter}}. Composite SLOs (an
 * {@code indicator} per objective, {@code compositeWeight}) are reported as not served.
 *
 * <p>Durations are OpenSLO shorthands {@code {n}{m|h|d|w|M|Q|Y}}: minutes, hours, days, weeks,
 * months, quarters, years. Where a fixed length is needed (rolling windows, time slices, alert
 * look-back windows) a month counts 30 days, a quarter 90 and a year 365, as in the Go SDK.
 * <b>In a calendar window, {@code m} means a month</b>: the specification's own calendar example
 * writes {@code duration: 1m} with the comment "Contracts often are for 1 month time window"
 * (OpenSLO issue #267 discusses month against 30 days), and a calendar window of minutes would
 * mean nothing, so Tandem reads it as its authors meant. Write {@code 1M} to be unambiguous. A
 * calendar window of hours is a problem (use a rolling window for that).
 *
 * <h2>What Tandem serves: {@code metricSource.type: tandem}</h2>
 *
 * <p>{@link dev.tandem.engine.slo.OpenSloCatalog#compile} turns each objective of each SLO into
 * one {@link dev.tandem.engine.slo.SloSpec}. The first objective keeps the SLO's name; later ones
 * are named {@code slo-name/display-name} (the displayName lowercased, runs of other characters
 * turned into '-'), or {@code slo-name/N} counting from 1 when they have no displayName. Targets
 * are exact decimals taken from the YAML text ({@code 0.999} stays {@code 0.999};
 * {@code targetPercent: 99.9} becomes {@code 0.999} exactly).
 *
 * <p>Tandem computes SLIs from its own observations, so the only metric source type it serves is
 * {@code tandem} (any case). Any other type, e.g. {@code Prometheus}, is one problem per SLI at
 * its first foreign {@code type}: "metricSource type 'Prometheus' is not served by Tandem: Tandem
 * computes SLIs from its own observations (type: tandem)". A {@code raw} ratio is not served
 * either: it is a ratio computed elsewhere, and Tandem counts events. The spec of a tandem source:
 *
 * <pre>{@code
 * metricSource:
 *   type: tandem
 *   spec:
 *     source: probe | span | histogram | sli   # required
 *     journey: order-to-invoice                # probe: filters, all optional
 *     step: submit-order
 *     vantage: ext-1
 *     service: order-service                   # span and histogram
 *     operation: "POST /orders"                # span name or route ('span:' is accepted for a span's name)
 *     metric: http.server.request.duration     # histogram: the only histogram read
 * }</pre>
 *
 * <p>A probe step is good when it passed; a span when its status is not ERROR; a histogram
 * request when its status is below 500; {@code sli} observations carry their own good and total
 * counts and are matched by the SLO's name (no filters). For a {@code ratioMetric}, {@code good}
 * (or {@code bad}) and {@code total} must select the same observations; the counted side may only
 * restate Tandem's definition of good ({@code status: ok} or {@code goodWhen: "status < 500"} on
 * the good side, {@code status: error} or {@code badWhen: "status >= 500"} on the bad side), and
 * any other difference is a problem that lists the differences. For a {@code thresholdMetric}
 * (probe, span or histogram), the objective's {@code op} must be {@code lt} or {@code lte} and its
 * {@code value} is the latency in milliseconds that good events stay under. Unknown spec keys,
 * filters that do not apply to the source, and a ratio objective with {@code value} or an upper
 * bound {@code op} are problems.
 */
package dev.tandem.engine.slo;
