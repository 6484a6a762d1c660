package dev.tandem.engine.judge;

import dev.tandem.engine.judge.CloudClassifier.ClockSkew;
import dev.tandem.engine.judge.CloudClassifier.CloudInputs;
import dev.tandem.engine.judge.ProbeLedger.VantageCounts;
import dev.tandem.engine.observation.ClockDiscipline;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.observation.SwitchObservation;
import dev.tandem.engine.observation.TelemetryObservation;
import dev.tandem.engine.verdict.CloudAssessment;
import dev.tandem.engine.verdict.Evidence;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.engine.verdict.VerdictState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Judges every failover domain from the observations it is given: per cloud a health and fault,
 * per domain a recommendation (CONTRACTS.md section 4).
 *
 * <p>Every judgement rests on counts over windows and confidence bounds ({@link CloudClassifier},
 * the table in {@link ClassifierRule}); hysteresis then asks for persistence: a cloud-wide
 * failure becomes UNHEALTHY after the hold-down, and leaves it after
 * {@link #RECOVERY_HOLD_DOWNS} hold-downs of recovery.
 *
 * <p>Observations stamped more than {@code maxClockSkew} ahead of the engine's clock are refused
 * and counted per sender (vantage or path); a vantage whose results are refused is a VANTAGE
 * fault. Thread-safe: observations arrive from collectors and probes on many threads; each call
 * takes the engine's lock for a few microseconds. Time comes only from the injected clock, so
 * replay and tests run on virtual time.
 */
public final class VerdictEngine implements ObservationSink {
  /**
   * Leaving is slower than entering (asymmetric thresholds): recovery must last this many
   * hold-downs before a cloud leaves UNHEALTHY, or before a half-confirmed outage is forgotten.
   */
  public static final int RECOVERY_HOLD_DOWNS = 2;
  /** Senders tracked for refused (future-stamped) observations; beyond, they are pooled. */
  static final int MAX_SKEW_SENDERS = 1_000;

  private static final DateTimeFormatter HHMMSS =
      DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final EngineSpec spec;
  private final Clock clock;
  private final Instant startedAt;
  private final ProbeLedger probes;
  private final TelemetryLedger telemetry;
  private final CloudClassifier classifier;
  private final Map<String, Instant> lastHeartbeat = new HashMap<>();
  private final Map<String, ReplicationObservation> lastLag = new HashMap<>();
  private final Map<String, String> activeCloud = new HashMap<>();
  private final Map<String, Instant> switchedAt = new HashMap<>();
  private final Map<String, CloudState> cloudStates = new HashMap<>();
  private final Map<String, Verdict> verdicts = new LinkedHashMap<>();
  private final Map<String, Skew> skew = new TreeMap<>();
  private final List<VerdictListener> listeners = new CopyOnWriteArrayList<>();
  private volatile SloSignals sloSignals = SloSignals.NONE;
  private final long maxSkewMillis;
  private long observations;
  private long foreign;

  /** Hysteresis state of one cloud in one domain. */
  private static final class CloudState {
    Health health = Health.UNKNOWN;
    Fault fault = Fault.NONE;
    Instant cloudWideSince;
    Instant lastCloudWideAt;
    Instant recoverySince;
    /** The summary of the latest cloud-wide finding: the reason of a FAILOVER or HOLD that outlasts it. */
    String cloudWideSummary = "";
  }

  /** Future-stamped observations refused from one sender. */
  private static final class Skew {
    final CountRing recent;
    long refused;
    long maxAheadMillis;

    Skew(long windowMillis) {
      recent = new CountRing(windowMillis, ProbeLedger.BUCKETS, 1);
    }
  }

  private VerdictEngine(EngineSpec spec, Clock clock) {
    this.spec = spec;
    this.clock = clock;
    this.startedAt = clock.instant();
    EngineSettings s = spec.settings();
    this.probes = new ProbeLedger(s.probeWindow().toMillis(), s.recentWindow().toMillis(),
        s.vantageWindow().toMillis());
    this.telemetry = new TelemetryLedger(s.probeWindow().toMillis());
    this.classifier = new CloudClassifier(spec.vantages(), s.quorum(), s.brownoutErrorRate());
    this.maxSkewMillis = s.maxClockSkew().toMillis();
    spec.domains().forEach(d -> activeCloud.put(d.id(), d.active()));
  }

  public static VerdictEngine create(EngineSpec spec, Clock clock) {
    return new VerdictEngine(spec, clock);
  }

  public EngineSpec spec() {
    return spec;
  }

  public void addListener(VerdictListener listener) {
    listeners.add(listener);
  }

  /** Where burn-rate alerts come from (the SLO engine); without it, probes alone judge. */
  public void setSloSignals(SloSignals signals) {
    this.sloSignals = signals == null ? SloSignals.NONE : signals;
  }

  @Override
  public synchronized void accept(Observation o) {
    Instant now = clock.instant();
    if (ClockDiscipline.tooFarAhead(o, now.toEpochMilli(), maxSkewMillis)) {
      refuse(o, now);
      return;
    }
    observations++;
    if (o instanceof ProbeObservation p) {
      // Only configured clouds and vantages are judged: anything else would only grow the ledger.
      if (!spec.clouds().contains(p.cloud()) || !classifier.vantageIds().contains(p.vantage())) {
        foreign++;
        return;
      }
      probes.add(p, now);
    } else if (o instanceof HeartbeatObservation h) {
      lastHeartbeat.merge(h.path(), h.ts(), (a, b) -> a.isAfter(b) ? a : b);
    } else if (o instanceof ReplicationObservation r) {
      String key = r.domain() + "/" + r.cloud();
      ReplicationObservation prev = lastLag.get(key);
      if (prev == null || !r.ts().isBefore(prev.ts())) {
        lastLag.put(key, r);
      }
    } else if (o instanceof TelemetryObservation t) {
      telemetry.add(t, now);
    } else if (o instanceof SwitchObservation s) {
      // A switch read back from an observation log: at the line's time, as the live engine had it.
      try {
        reportActive(s.domain(), s.active(), s.ts());
      } catch (IllegalArgumentException e) {
        foreign++;
      }
    }
    // SLI samples feed budgets and burn rates (the SLO engine), which reach the judge as SloSignals.
  }

  private void refuse(Observation o, Instant now) {
    String sender = ClockDiscipline.sender(o);
    Skew s = skew.get(sender);
    if (s == null) {
      if (skew.size() >= MAX_SKEW_SENDERS) {
        sender = "_other";
        s = skew.get(sender);
      }
      if (s == null) {
        s = new Skew(spec.settings().vantageWindow().toMillis());
        skew.put(sender, s);
      }
    }
    s.refused++;
    long ahead = Duration.between(now, o.ts()).toMillis();
    long[] recent = new long[1];
    s.recent.sumInto(now.toEpochMilli(), ProbeLedger.BUCKETS, recent);
    // The largest lead among the refusals still in the vantage window.
    s.maxAheadMillis = recent[0] == 0 ? ahead : Math.max(s.maxAheadMillis, ahead);
    s.recent.add(now.toEpochMilli(), now.toEpochMilli(), 0, 1);
  }

  /**
   * Observations refused because they were stamped more than {@code engine.maxClockSkew} ahead,
   * per sender ({@code "vantage ext-1"}, {@code "path path-a"}), since start.
   */
  public synchronized Map<String, Long> refusedAhead() {
    Map<String, Long> out = new TreeMap<>();
    skew.forEach((k, v) -> out.put(k, v.refused));
    return out;
  }

  /** Probe results that arrived after the probe window had passed them (dropped). */
  public synchronized long lateProbeResults() {
    return probes.late();
  }

  /** Telemetry aggregates that arrived after the probe window had passed them (dropped). */
  public synchronized long lateTelemetry() {
    return telemetry.late();
  }

  /** Probe and telemetry results dropped because their ledgers were at their series bound. */
  public synchronized long droppedAtBound() {
    return probes.dropped() + telemetry.dropped();
  }

  /** Probe results from a cloud or vantage the configuration does not know (dropped). */
  public synchronized long foreignProbeResults() {
    return foreign;
  }

  /** Records that a failover controller switched {@code domain} to {@code cloud} now. */
  public synchronized void reportActive(String domain, String cloud) {
    reportActive(domain, cloud, clock.instant());
  }

  /**
   * Records that a failover controller switched {@code domain} to {@code cloud} at {@code at}: the
   * anti-flap period counts from then. Reporting the cloud already active changes nothing.
   *
   * @return whether the active cloud changed
   * @throws IllegalArgumentException for an unknown domain, or a cloud that is not one of its two
   */
  public synchronized boolean reportActive(String domain, String cloud, Instant at) {
    checkCloud(domain, cloud);
    if (cloud.equals(activeCloud.put(domain, cloud))) {
      return false;
    }
    switchedAt.put(domain, at);
    return true;
  }

  /**
   * Restores what a restarted process remembers: {@code domain} has been served by {@code cloud}
   * since {@code switchedAt} (the anti-flap period counts from then, even when {@code cloud} is
   * the configuration's {@code active}: it may be a switch back).
   */
  public synchronized void restoreActive(String domain, String cloud, Instant switchedAt) {
    checkCloud(domain, cloud);
    activeCloud.put(domain, cloud);
    this.switchedAt.put(domain, switchedAt);
  }

  /** When {@code domain} last switched, as reported; empty when it never did. */
  public synchronized Optional<Instant> switchedAt(String domain) {
    return Optional.ofNullable(switchedAt.get(domain));
  }

  private void checkCloud(String domain, String cloud) {
    DomainSpec d = domain(domain).orElseThrow(() -> new IllegalArgumentException("unknown domain " + domain));
    if (!cloud.equals(d.active()) && !cloud.equals(d.standby())) {
      throw new IllegalArgumentException("cloud " + cloud + " is not part of domain " + domain);
    }
  }

  /** The cloud now serving {@code domain}. */
  public synchronized String activeCloud(String domain) {
    return activeCloud.get(domain);
  }

  public Optional<DomainSpec> domain(String id) {
    return spec.domains().stream().filter(d -> d.id().equals(id)).findFirst();
  }

  /** The latest verdicts, in configuration order; empty before the first evaluation. */
  public synchronized List<Verdict> current() {
    return List.copyOf(verdicts.values());
  }

  public synchronized Optional<Verdict> current(String domain) {
    return Optional.ofNullable(verdicts.get(domain));
  }

  public synchronized long observationCount() {
    return observations;
  }

  /** Judges every domain now; tells listeners about changes; returns the verdicts. */
  public List<Verdict> evaluate() {
    List<Verdict[]> changes = new ArrayList<>();
    List<Verdict> out;
    synchronized (this) {
      Instant now = clock.instant();
      for (DomainSpec d : spec.domains()) {
        Verdict next = judge(d, now);
        Verdict prev = verdicts.get(d.id());
        if (prev != null && prev.recommendation() == next.recommendation()) {
          // `since` is when the recommendation began, not when the verdict was last rewritten.
          next = next.withSince(prev.since());
        }
        if (next.differsFrom(prev)) {
          changes.add(new Verdict[] {prev, next});
        }
        verdicts.put(d.id(), next);
      }
      out = List.copyOf(verdicts.values());
    }
    for (Verdict[] change : changes) {
      for (VerdictListener l : listeners) {
        l.changed(change[0], change[1]);
      }
    }
    return out;
  }

  private Map<String, VantageCounts> counts(String cloud, Set<String> journeys, Instant now) {
    Map<String, VantageCounts> out = new LinkedHashMap<>();
    for (String v : classifier.vantageIds()) {
      VantageCounts c = probes.counts(cloud, v, journeys, now);
      if (c.any()) {
        out.put(v, c);
      }
    }
    return out;
  }

  private Verdict judge(DomainSpec d, Instant now) {
    String active = activeCloud.get(d.id());
    String standby = active.equals(d.active()) ? d.standby() : d.active();
    Set<String> journeys = Set.copyOf(d.journeys());
    Map<String, VantageCounts> activeCounts = counts(active, journeys, now);
    Map<String, VantageCounts> standbyCounts = counts(standby, journeys, now);
    Map<String, ClockSkew> skewed = skewedVantages(now);

    CloudFinding activeFinding = find(d, active, activeCounts, standby, standbyCounts, skewed, now);
    CloudFinding standbyFinding = find(d, standby, standbyCounts, active, activeCounts, skewed, now);
    CloudState activeState = settle(d.id(), active, activeFinding, now);
    CloudState standbyState = settle(d.id(), standby, standbyFinding, now);

    Optional<ReplicationObservation> lag = Optional.ofNullable(lastLag.get(d.id() + "/" + standby))
        .filter(r -> Duration.between(r.ts(), now).compareTo(spec.settings().replicationStaleness()) <= 0);
    List<String> notReady = new ArrayList<>();
    if (standbyState.health != Health.HEALTHY) {
      notReady.add(standby + " is " + standbyState.health + (standbyState.fault == Fault.NONE
          ? "" : " (" + standbyState.fault + ")"));
    }
    if (!standbyFinding.probesPass()) {
      notReady.add("no vantage sees " + standby + "'s journeys pass");
    }
    if (lag.isEmpty()) {
      notReady.add("no fresh replication lag from " + standby);
    } else if (lag.get().lagSeconds() > d.rpoSeconds()) {
      notReady.add(String.format(Locale.ROOT, "replication lag %.1f s is over the RPO of %d s",
          lag.get().lagSeconds(), d.rpoSeconds()));
    }
    boolean ready = notReady.isEmpty();

    List<Evidence> standbyEvidence = new ArrayList<>(standbyFinding.evidence());
    lag.ifPresent(r -> standbyEvidence.add(new Evidence(Evidence.REPLICATION,
        String.format(Locale.ROOT, "%s reports replication lag %.1f s (RPO %d s)",
            standby, r.lagSeconds(), d.rpoSeconds()),
        Map.of("cloud", standby, "lagSeconds", r.lagSeconds(), "rpoSeconds", d.rpoSeconds(),
            "at", r.ts().toString()))));

    Recommendation rec;
    String reason;
    boolean activeDown = activeState.health == Health.UNHEALTHY && activeState.fault == Fault.CLOUD_WIDE;
    String down = activeState.cloudWideSummary;
    if (activeDown && standbyFinding.cloudWide()) {
      rec = Recommendation.HOLD;
      reason = "Both " + active + " and " + standby + " fail the same way (" + down
          + "): a shared dependency, switching cannot help; hold and investigate what both depend on.";
    } else if (activeDown && ready && inAntiFlap(d.id(), now)) {
      rec = Recommendation.HOLD;
      reason = active + " is down cloud-wide (" + down + ") but it became active at "
          + HHMMSS.format(switchedAt.get(d.id())) + ": no switch back during the anti-flap period (until "
          + HHMMSS.format(switchedAt.get(d.id()).plus(spec.settings().antiFlap())) + "). Hold and investigate both clouds.";
    } else if (activeDown && ready) {
      // Hysteresis on the recommendation too: a flapping cloud does not flip the verdict back
      // and forth; it must work for the whole recovery period first (the same sentence while it
      // recovers: the verdict changes when the recommendation does).
      rec = Recommendation.FAILOVER;
      reason = "Fail over to " + standby + ": " + down + " (confirmed for at least "
          + spec.settings().holdDown().toSeconds() + " s; it counts as recovered only after working for "
          + recovery().toSeconds() + " s); " + standby + " is healthy and ready"
          + " (replication lag within the RPO of " + d.rpoSeconds() + " s).";
    } else if (activeDown) {
      rec = Recommendation.HOLD;
      reason = active + " is down cloud-wide (" + down + ") but switching is unsafe: "
          + String.join("; ", notReady) + ". Hold: do not fail over until " + standby + " is ready.";
    } else {
      rec = Recommendation.STAY;
      reason = stayReason(active, activeState, activeFinding, standby, standbyFinding, ready, notReady);
    }
    if (rec == Recommendation.STAY && activeFinding.rule() == ClassifierRule.BROWNOUT_BELOW_THRESHOLD
        && activeState.cloudWideSince != null && activeState.health != Health.UNHEALTHY) {
      reason = "Stay on " + active + " for now: " + activeFinding.summary() + "; it crossed the threshold at "
          + HHMMSS.format(activeState.cloudWideSince) + ": confirming, a failover can be recommended at "
          + HHMMSS.format(activeState.cloudWideSince.plus(spec.settings().holdDown())) + " or later if it crosses"
          + " it again.";
    }

    // A cloud-wide failure under confirmation stays "confirming" while the cloud still browns out
    // below the threshold: the suspicion lasts until the cloud recovers, and the display with it.
    boolean suspected = activeFinding.cloudWide() || (activeFinding.rule() == ClassifierRule.BROWNOUT_BELOW_THRESHOLD
        && activeState.cloudWideSince != null);
    boolean confirming = rec == Recommendation.STAY && suspected && activeState.cloudWideSince != null
        && activeState.health != Health.UNHEALTHY;
    VerdictState state = state(rec, confirming, activeState, activeFinding, ready);
    Map<String, CloudAssessment> clouds = new LinkedHashMap<>();
    for (String cloud : spec.clouds()) {
      if (cloud.equals(active)) {
        Instant since = confirming ? activeState.cloudWideSince : null;
        clouds.put(cloud, new CloudAssessment(CloudAssessment.ACTIVE, activeState.health, activeState.fault,
            activeFinding.evidence(), null, null, null,
            confirming ? ClassifierRule.CLOUD_WIDE.id() : ruleOf(activeState, activeFinding), since,
            since == null ? null : since.plus(spec.settings().holdDown())));
      } else if (cloud.equals(standby)) {
        clouds.put(cloud, new CloudAssessment(CloudAssessment.STANDBY, standbyState.health, standbyState.fault,
            standbyEvidence, ready, lag.map(ReplicationObservation::lagSeconds).orElse(null), d.rpoSeconds(),
            ruleOf(standbyState, standbyFinding), null, null, notReady));
      }
    }
    return new Verdict(d.id(), spec.observer(), now, now.plus(spec.settings().validity()), rec, now, reason,
        clouds, state);
  }

  /** The table's row as shown: a cloud held UNHEALTHY by hysteresis still shows {@code cloud-wide}. */
  private static String ruleOf(CloudState state, CloudFinding finding) {
    if (state.fault == Fault.CLOUD_WIDE && state.health == Health.UNHEALTHY) {
      return ClassifierRule.CLOUD_WIDE.id();
    }
    return finding.rule().id();
  }

  private static VerdictState state(Recommendation rec, boolean confirming, CloudState active, CloudFinding finding,
      boolean ready) {
    if (rec == Recommendation.FAILOVER) {
      return VerdictState.FAILOVER;
    }
    if (rec == Recommendation.HOLD) {
      return VerdictState.HOLD;
    }
    if (confirming) {
      return VerdictState.CONFIRMING;
    }
    if (active.health == Health.UNHEALTHY) {
      return VerdictState.RECOVERING;
    }
    if (active.health == Health.UNKNOWN) {
      return VerdictState.UNKNOWN;
    }
    if (active.fault != Fault.NONE || active.health != Health.HEALTHY) {
      return VerdictState.DEGRADED;
    }
    return ready ? VerdictState.ALL_CLEAR : VerdictState.NO_STANDBY;
  }

  private Duration recovery() {
    return spec.settings().holdDown().multipliedBy(RECOVERY_HOLD_DOWNS);
  }

  private boolean inAntiFlap(String domain, Instant now) {
    Instant at = switchedAt.get(domain);
    return at != null && Duration.between(at, now).compareTo(spec.settings().antiFlap()) < 0;
  }

  private String stayReason(String active, CloudState state, CloudFinding finding, String standby,
      CloudFinding standbyFinding, boolean ready, List<String> notReady) {
    if (finding.cloudWide() && state.health != Health.UNHEALTHY && state.cloudWideSince != null) {
      return "Stay on " + active + " for now: " + finding.summary() + "; confirming, a failover can be"
          + " recommended at " + HHMMSS.format(state.cloudWideSince.plus(spec.settings().holdDown()))
          + " if it persists.";
    }
    if (state.health == Health.UNHEALTHY && state.fault == Fault.CLOUD_WIDE) {
      return "Stay on " + active + ": it is recovering; it must keep working for "
          + recovery().toSeconds() + " s before it counts as healthy again.";
    }
    if (state.health == Health.UNKNOWN) {
      return "Stay on " + active + ": not enough evidence to judge it (" + finding.summary()
          + "); unknown never leads to a failover.";
    }
    String standbyNote = ready ? "" : " No standby is ready (" + String.join("; ", notReady)
        + "): disaster recovery is unavailable.";
    switch (state.fault) {
      case CLOUD_WIDE:
        return "Stay on " + active + ": " + finding.summary() + "; no failover below the threshold: page the"
            + " owning team." + standbyNote;
      case COMPONENT:
        return "Stay on " + active + ": component fault, " + finding.summary()
            + "; page the owning team, failing over would not help." + standbyNote;
      case TELEMETRY:
        return "Stay on " + active + ": " + finding.summary()
            + "; a telemetry fault, not an outage: fix the telemetry path." + standbyNote;
      case VANTAGE:
        return "Stay on " + active + ": " + finding.summary()
            + "; an observer problem, not an outage: check that vantage." + standbyNote;
      default:
        break;
    }
    if (standbyFinding.fault() != Fault.NONE) {
      return "Stay on " + active + ": it is healthy; " + standby + " has a " + standbyFinding.fault()
          + " fault (" + standbyFinding.summary() + ")." + standbyNote;
    }
    return "Stay on " + active + ": it is healthy (" + finding.summary() + ")." + standbyNote;
  }

  private Map<String, ClockSkew> skewedVantages(Instant now) {
    Map<String, ClockSkew> out = new TreeMap<>();
    long nowMillis = now.toEpochMilli();
    skew.forEach((sender, s) -> {
      if (sender.startsWith("vantage ")) {
        long[] n = new long[1];
        s.recent.sumInto(nowMillis, ProbeLedger.BUCKETS, n);
        if (n[0] > 0) {
          String vantage = sender.substring("vantage ".length());
          out.put(vantage, new ClockSkew(vantage, n[0], s.maxAheadMillis));
        }
      }
    });
    return out;
  }

  private CloudFinding find(DomainSpec d, String cloud, Map<String, VantageCounts> counts, String other,
      Map<String, VantageCounts> otherCounts, Map<String, ClockSkew> skewed, Instant now) {
    List<String> silent = new ArrayList<>();
    boolean anyPath = false;
    for (PathSpec p : spec.paths()) {
      if (!p.cloud().equals(cloud)) {
        continue;
      }
      anyPath = true;
      Instant last = lastHeartbeat.get(p.id());
      Instant reference = last == null ? startedAt : last;
      if (Duration.between(reference, now).compareTo(spec.settings().pathSilence()) > 0) {
        silent.add(p.id());
      }
    }
    List<String> burning = d.slos().isEmpty() ? List.of() : sloSignals.pageTierFiring(cloud, d.slos());
    return classifier.classify(new CloudInputs(cloud, other, counts, otherCounts, telemetry.stats(cloud, now),
        silent, anyPath, burning, skewed));
  }

  /**
   * Applies hysteresis: entering UNHEALTHY needs the cloud-wide failure to persist through the
   * hold-down; a short recovery in between does not restart the count (an outage flapping on and
   * off is still an outage), and leaving needs a recovery of {@link #RECOVERY_HOLD_DOWNS}
   * hold-downs.
   */
  private CloudState settle(String domain, String cloud, CloudFinding f, Instant now) {
    CloudState s = cloudStates.computeIfAbsent(domain + "/" + cloud, k -> new CloudState());
    Duration holdDown = spec.settings().holdDown();
    Duration recovery = recovery();
    if (f.cloudWide()) {
      s.recoverySince = null;
      s.lastCloudWideAt = now;
      s.cloudWideSummary = f.summary();
      if (s.cloudWideSince == null) {
        s.cloudWideSince = now;
      }
      if (Duration.between(s.cloudWideSince, now).compareTo(holdDown) >= 0) {
        s.health = Health.UNHEALTHY;
      } else if (s.health != Health.UNHEALTHY) {
        s.health = Health.DEGRADED;
      }
      s.fault = Fault.CLOUD_WIDE;
      return s;
    }
    if (s.cloudWideSince != null && s.lastCloudWideAt != null
        && Duration.between(s.lastCloudWideAt, now).compareTo(recovery) >= 0) {
      s.cloudWideSince = null;
    }
    if (s.health == Health.UNHEALTHY && s.fault == Fault.CLOUD_WIDE && f.recovered()) {
      if (s.recoverySince == null) {
        s.recoverySince = now;
      }
      if (Duration.between(s.recoverySince, now).compareTo(recovery) < 0) {
        return s;
      }
      s.cloudWideSince = null;
    } else if (s.health == Health.UNHEALTHY && s.fault == Fault.CLOUD_WIDE) {
      // Not cloud-wide any more but nothing passes either (e.g. too few vantages): no recovery yet.
      s.recoverySince = null;
      return s;
    }
    s.recoverySince = null;
    s.health = f.health();
    s.fault = f.fault();
    return s;
  }
}
