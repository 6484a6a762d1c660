package dev.tandem.engine.judge;

import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import java.util.function.Predicate;

/**
 * The classifier's table: inputs, then the fault. The first row whose inputs hold names the
 * fault (rows are in order of precedence). Code, docs ({@code docs/judgement.md}, checked
 * against this table by a test) and tests share this one table.
 */
public enum ClassifierRule {
  NO_DATA("no-data", "no failure domain has probe results for the cloud in the probe window",
      Health.UNKNOWN, Fault.NONE, false, s -> !s.seen()),
  CLOUD_WIDE("cloud-wide", "a quorum of independent failure domains sees journey runs fail at the brownout"
      + " threshold or more (lower confidence bound) and still failing, and the failures are not concentrated"
      + " in one or two steps (an outage, a transport failure or a brownout)",
      Health.DEGRADED, Fault.CLOUD_WIDE, true, s -> s.failingQuorum() && !s.concentrated()),
  BROWNOUT_BELOW_THRESHOLD("brownout-below-threshold", "failures spread over several steps, seen from a quorum"
      + " of failure domains and significant, but below the brownout threshold",
      Health.DEGRADED, Fault.CLOUD_WIDE, false, s -> s.spreadBelowThreshold() && !s.concentrated()),
  COMPONENT("component", "failures concentrated in one or two steps (however many SLOs burn), a service erring"
      + " in the cloud's own telemetry, or an SLO of the domain burning at a paging rate",
      Health.DEGRADED, Fault.COMPONENT, false, CloudSignals::component),
  VANTAGE("vantage", "a vantage fails significantly more than the other failure domains (Fisher's exact"
      + " test), or for both clouds, or its clock runs ahead, while the others see the cloud work",
      Health.HEALTHY, Fault.VANTAGE, false, s -> s.vantageFault() && s.working()),
  TELEMETRY("telemetry", "a telemetry path of the cloud is silent while its journeys pass",
      Health.HEALTHY, Fault.TELEMETRY, false, s -> s.silentPath() && s.working()),
  UNCONFIRMED("unconfirmed", "fewer than a quorum see the cloud fail and no failure domain sees it work",
      Health.UNKNOWN, Fault.NONE, false, s -> !s.working()),
  HEALTHY("healthy", "anything else: the cloud's journeys pass", Health.HEALTHY, Fault.NONE, false, s -> true);

  private final String id;
  private final String inputs;
  private final Health health;
  private final Fault fault;
  private final boolean cloudWide;
  private final Predicate<CloudSignals> when;

  ClassifierRule(String id, String inputs, Health health, Fault fault, boolean cloudWide,
      Predicate<CloudSignals> when) {
    this.id = id;
    this.inputs = inputs;
    this.health = health;
    this.fault = fault;
    this.cloudWide = cloudWide;
    this.when = when;
  }

  /** The row that names the fault for these inputs: the first that holds. */
  static ClassifierRule of(CloudSignals s) {
    for (ClassifierRule r : values()) {
      if (r.when.test(s)) {
        return r;
      }
    }
    throw new IllegalStateException("the last row always holds");
  }

  /** The rule's name in verdicts ({@code clouds.X.rule}) and docs. */
  public String id() {
    return id;
  }

  /** The row's inputs, in words. */
  public String inputs() {
    return inputs;
  }

  /** Health before hysteresis (a cloud-wide row becomes UNHEALTHY after the hold-down). */
  public Health health() {
    return health;
  }

  /** The fault; {@link #NO_DATA} reports TELEMETRY instead when a path of the cloud is silent. */
  public Fault fault() {
    return fault;
  }

  /** Whether the row counts towards the hold-down, and so towards FAILOVER or HOLD. */
  public boolean cloudWide() {
    return cloudWide;
  }

  public static java.util.Optional<ClassifierRule> byId(String id) {
    for (ClassifierRule r : values()) {
      if (r.id.equals(id)) {
        return java.util.Optional.of(r);
      }
    }
    return java.util.Optional.empty();
  }
}
