package dev.tandem.engine.paging;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.budget.BurnRateTier;
import dev.tandem.engine.budget.SloAlertChange;
import dev.tandem.engine.judge.ClassifierRule;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.verdict.CloudAssessment;
import dev.tandem.engine.verdict.Evidence;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.engine.verdict.VerdictJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides which PagerDuty events to send from verdict changes and burn-rate alert changes
 * (CONTRACTS.md section 6). Pure and deterministic: the same inputs in the same order give the same
 * events in the same order, with timestamps from the injected clock.
 *
 * <p>The policy keeps the latest verdict per domain and the firing page tiers per SLO and cloud,
 * derives from them the set of problems that should have an open incident, and compares that with
 * the incidents it has open: a problem without an incident is triggered; an incident without a
 * problem is resolved (same dedup key, same routing) once the problem has stayed away for
 * {@code paging.flapSeconds}. A problem that returns within that time is a flap: the incident
 * stays open, is neither resolved nor triggered again, and the flap is counted. One episode is
 * one incident per routing key; an incident whose severity rises (a brownout that becomes an
 * outage) is triggered again with the same dedup key, which PagerDuty folds into the same
 * incident (counted as an escalation, never a new incident).
 *
 * <p>Problems and their dedup keys:
 * <ul>
 *   <li>{@code tandem/{domain}/{cloud}/CLOUD_WIDE}: the cloud is {@code UNHEALTHY} with fault
 *       {@code CLOUD_WIDE}, or it is the active cloud of a {@code FAILOVER} or {@code HOLD}
 *       verdict ({@code critical} while active, {@code error} for a standby that is down:
 *       failover protection lost); or it browns out below the failover threshold (rule
 *       {@code brownout-below-threshold}: {@code error}, page the owner, no switch). While such
 *       an incident is open, a cloud-wide failure being confirmed keeps it open. When both clouds
 *       fail the same way (HOLD, shared dependency) it is one incident, keyed by the active cloud.
 *       Routed to the service owner.
 *   <li>{@code tandem/{domain}/{cloud}/COMPONENT}: at least one page tier of an SLO the domain
 *       lists fires in that cloud ({@code error}, to the service owner); one incident however many
 *       of the domain's SLOs burn, their tiers in the details. An SLO no domain lists pages as
 *       {@code tandem/slo/{slo}/{cloud}/page}. Ticket tiers and the no-data rule never page
 *       ({@link PageRecord.Disposition#NOT_PAGED}).
 *   <li>{@code tandem/observability/vantage/{vantage}}: a vantage is blamed by some domain's
 *       verdict (evidence {@code vantage-blamed} or {@code clock-skew}): {@code warning}, routed to
 *       {@link Routing#OBSERVABILITY}; one incident per vantage, whichever clouds it fails for.
 *       {@code tandem/observability/{cloud}/TELEMETRY}: a domain reports a TELEMETRY fault for the
 *       cloud. Never page the service owner.
 * </ul>
 *
 * <p>A new SLO page is sent once its problem has lasted one hold-down without a break (checked at
 * the end of each evaluation round): the judge confirms a cloud-wide failure within that time, so
 * the first burn of a brownout or outage is inhibited below instead of paging the owner twice.
 *
 * <p>Inhibition: while a cloud fails cloud-wide (incident open, being confirmed, or browning out
 * below the threshold), or while its fault is a vantage's (failed probes of that vantage burn
 * probe-based SLOs), a new SLO page for that cloud is held back and recorded once as
 * {@link PageRecord.Disposition#SUPPRESSED}. When what held it back clears, a held-back problem
 * that is still there is triggered then; one that cleared in the meantime is dropped. SLO pages
 * already open stay open. Observability warnings are not held back: they go to another team.
 *
 * <p>Unknown is not recovery: an open cloud-wide or observability incident whose cloud is
 * {@code UNKNOWN} (or whose domain has no verdict yet, as after a restart) stays open.
 *
 * <p>Thread-safe (synchronized); calls are short.
 */
public final class PagingPolicy {
  /** The default of {@code paging.flapSeconds}. */
  public static final Duration DEFAULT_FLAP = Duration.ofSeconds(600);
  static final String CLOUD_WIDE = "CLOUD_WIDE";
  static final String COMPONENT = "COMPONENT";
  static final String SLO_PAGE = "page";

  private final EngineSpec spec;
  private final Clock clock;
  private final Duration flap;
  private final ObjectMapper json = new ObjectMapper();
  private final VerdictJson verdictJson = new VerdictJson(json);
  private final Map<String, Verdict> verdicts = new TreeMap<>();
  /** slo + "/" + cloud to firing page tiers (by tier name). */
  private final Map<String, TreeMap<String, SloAlertChange>> firing = new TreeMap<>();
  private final Map<String, OpenIncident> open = new TreeMap<>();
  /** Open incidents whose problem went away, and since when: resolved after the flap period. */
  private final Map<String, Instant> clearing = new TreeMap<>();
  private final Set<String> held = new TreeSet<>();
  /** Since when a domain's cloud has browned out below the threshold (domain/cloud), per verdicts. */
  private final Map<String, Instant> brownoutSince = new TreeMap<>();
  /** Since when a new SLO page's problem has been there without a break (its key), not yet sent. */
  private final Map<String, Instant> sloPending = new TreeMap<>();
  private long flaps;
  private long escalations;

  private enum Kind { CLOUD, SLO, OBSERVABILITY }

  /** A problem that should have an open incident. */
  private record Problem(String key, String cloud, Kind kind, PageEvent trigger) {}

  private PagingPolicy(EngineSpec spec, Clock clock, Duration flap) {
    this.spec = spec;
    this.clock = clock;
    this.flap = flap;
  }

  public static PagingPolicy create(EngineSpec spec, Clock clock) {
    return create(spec, clock, DEFAULT_FLAP);
  }

  /** @param flap how long a problem must stay away before its incident is resolved */
  public static PagingPolicy create(EngineSpec spec, Clock clock, Duration flap) {
    if (flap == null || flap.isNegative()) {
      throw new IllegalArgumentException("flap must be >= 0");
    }
    return new PagingPolicy(spec, clock, flap);
  }

  /** Incidents a previous run left open (from the durable outbox): they are not triggered again. */
  public synchronized void restore(List<OpenIncident> incidents) {
    incidents.forEach(i -> open.put(i.dedupKey(), i));
  }

  /** The incidents this policy holds open, by dedup key. */
  public synchronized List<OpenIncident> open() {
    return List.copyOf(open.values());
  }

  /** The problems held back by an open cloud-wide incident. */
  public synchronized Set<String> held() {
    return Set.copyOf(held);
  }

  /** Problems that came back within the flap period (their incident stayed open), since start. */
  public synchronized long flaps() {
    return flaps;
  }

  /** Incidents triggered again with a higher severity (same dedup key), since start. */
  public synchronized long escalations() {
    return escalations;
  }

  /** A domain's verdict changed ({@code VerdictEngine} listener). */
  public synchronized List<PageRecord> onVerdict(Verdict previous, Verdict next) {
    verdicts.put(next.domain(), next);
    next.clouds().forEach((cloud, a) -> {
      String k = next.domain() + "/" + cloud;
      if (a.fault() != Fault.CLOUD_WIDE) {
        brownoutSince.remove(k);
      } else if (ClassifierRule.BROWNOUT_BELOW_THRESHOLD.id().equals(a.rule())) {
        brownoutSince.putIfAbsent(k, next.generatedAt());
      }
    });
    return reconcile(false);
  }

  /** A burn-rate tier started or stopped firing ({@code SloEngine} listener). */
  public synchronized List<PageRecord> onSloAlert(SloAlertChange c) {
    if (!BurnRateTier.PAGE.equals(c.severity())) {
      String key = "tandem/slo/" + c.slo() + "/" + c.cloud() + "/" + c.severity();
      PageEvent e = new PageEvent(c.firing() ? PageAction.TRIGGER : PageAction.RESOLVE, Routing.SERVICE,
          clip(key), String.format(Locale.ROOT, "%s in %s: %s tier %s %s (burn %.2f / %.2f)", c.slo(), c.cloud(),
              c.severity(), c.tier(), c.firing() ? "firing" : "cleared", c.longBurn(), c.shortBurn()),
          c.cloud(), PageSeverity.INFO, clock.instant(), c.slo(), c.cloud(), "slo-burn-" + c.severity(),
          alertDetails(c.slo(), c.cloud(), List.of(c)));
      return List.of(new PageRecord(PageRecord.Disposition.NOT_PAGED, e,
          "a " + c.severity() + "-tier alert never pages"));
    }
    String k = c.slo() + "/" + c.cloud();
    if (c.firing()) {
      firing.computeIfAbsent(k, x -> new TreeMap<>()).put(c.tier(), c);
    } else {
      TreeMap<String, SloAlertChange> tiers = firing.get(k);
      if (tiers != null) {
        tiers.remove(c.tier());
        if (tiers.isEmpty()) {
          firing.remove(k);
        }
      }
    }
    return reconcile(false);
  }

  /**
   * An evaluation round is over (burn rates and verdicts both judged at this instant): new SLO
   * pages are decided now, against this round's verdicts, and incidents whose problem stayed away
   * for the flap period are resolved. Burn-rate tiers usually fire in the same round that first
   * suspects a cloud-wide failure; deciding at the end of the round holds such a page back
   * instead of sending it just before the critical one.
   */
  public synchronized List<PageRecord> evaluated() {
    return reconcile(true);
  }

  private List<PageRecord> reconcile(boolean endOfRound) {
    Instant now = clock.instant();
    Map<String, Problem> desired = problems(now);
    List<PageRecord> out = new ArrayList<>();
    // 1. Cloud-wide incidents first, so that what they inhibit is held back in the same step.
    for (Problem p : desired.values()) {
      if (p.kind() == Kind.CLOUD) {
        raise(out, p, now);
      }
    }
    // 2. Incidents without a problem: resolved once it stayed away for the flap period (unknown is
    // not recovery).
    for (OpenIncident i : List.copyOf(open.values())) {
      if (desired.containsKey(i.dedupKey()) || stillUnknown(i.dedupKey()) || keptOpenByConfirming(i.dedupKey())) {
        continue;
      }
      Instant since = clearing.computeIfAbsent(i.dedupKey(), k -> now);
      if (!now.isBefore(since.plus(flap))) {
        clearing.remove(i.dedupKey());
        send(out, resolve(i, now), "");
      }
    }
    Set<String> cloudWide = new TreeSet<>();
    Set<String> vantageFault = new TreeSet<>();
    for (String key : open.keySet()) {
      String cloud = cloudWideCloud(key);
      if (cloud != null) {
        cloudWide.add(cloud);
      }
    }
    // A cloud-wide failure being confirmed or browning out, or the standby's side of a HOLD for a
    // shared dependency, holds pages back too: the critical page is coming, or already covers it.
    // A vantage that cannot reach a cloud burns the probe-based SLOs of that cloud: its owner is
    // not paged for an observer problem (the observability team gets the vantage warning).
    for (Verdict v : verdicts.values()) {
      v.clouds().forEach((cloud, a) -> {
        if (a.fault() == Fault.CLOUD_WIDE) {
          cloudWide.add(cloud);
        } else if (a.fault() == Fault.VANTAGE) {
          vantageFault.add(cloud);
        }
      });
    }
    // 3. Everything else: trigger, or hold back while its cloud fails cloud-wide or a vantage is to blame.
    held.retainAll(desired.keySet());
    sloPending.keySet().retainAll(desired.keySet());
    if (endOfRound) {
      desired.values().stream().filter(p -> p.kind() == Kind.SLO && !open.containsKey(p.key()))
          .forEach(p -> sloPending.putIfAbsent(p.key(), now));
    }
    for (Problem p : desired.values()) {
      if (p.kind() == Kind.CLOUD) {
        continue;
      }
      if (open.containsKey(p.key())) {
        raise(out, p, now);
        continue;
      }
      if (p.kind() == Kind.SLO && !endOfRound) {
        continue;
      }
      if (p.kind() == Kind.SLO && cloudWide.contains(p.cloud())) {
        if (held.add(p.key())) {
          out.add(new PageRecord(PageRecord.Disposition.SUPPRESSED, p.trigger(),
              "held back: " + p.cloud() + " is failing cloud-wide (incident open, being confirmed or browning out)"));
        }
        continue;
      }
      if (p.kind() == Kind.SLO && vantageFault.contains(p.cloud())) {
        if (held.add(p.key())) {
          out.add(new PageRecord(PageRecord.Disposition.SUPPRESSED, p.trigger(),
              "held back: a vantage cannot reach " + p.cloud() + "; its failed probes burn this SLO, not the service"));
        }
        continue;
      }
      // A new SLO page waits one hold-down, the time the judge takes to confirm a cloud-wide
      // failure: the first burn of a brownout then pages once, as the cloud's failure, instead of
      // a component page followed by the critical one.
      if (p.kind() == Kind.SLO && now.isBefore(sloPending.computeIfAbsent(p.key(), k -> now)
          .plus(spec.settings().holdDown()))) {
        continue;
      }
      boolean released = held.remove(p.key());
      raise(out, p, now);
      if (released) {
        PageRecord last = out.remove(out.size() - 1);
        out.add(new PageRecord(last.disposition(), last.event(),
            "released: what held it back on " + p.cloud() + " has cleared"));
      }
    }
    return out;
  }

  /**
   * A problem is there: trigger its incident if none is open; if one is open, it stays open (a
   * flap if it was clearing), and is triggered again only when its severity rose.
   */
  private void raise(List<PageRecord> out, Problem p, Instant now) {
    OpenIncident i = open.get(p.key());
    if (i == null) {
      send(out, p.trigger(), "");
      return;
    }
    if (clearing.remove(p.key()) != null) {
      flaps++;
    }
    if (p.trigger().severity().compareTo(i.severity()) < 0) {
      // PageSeverity is ordered from the most severe: a lower ordinal is an escalation.
      escalations++;
      send(out, p.trigger(), "escalated: " + i.severity().name().toLowerCase(Locale.ROOT) + " to "
          + p.trigger().severity().name().toLowerCase(Locale.ROOT) + ", same incident");
    }
  }

  private void send(List<PageRecord> out, PageEvent e, String note) {
    if (e.action() == PageAction.TRIGGER) {
      open.put(e.dedupKey(), new OpenIncident(e.dedupKey(), e.routing(), e.severity()));
    } else {
      open.remove(e.dedupKey());
    }
    out.add(new PageRecord(PageRecord.Disposition.SEND, e, note));
  }

  private Map<String, Problem> problems(Instant now) {
    Map<String, Problem> out = new TreeMap<>();
    Map<String, List<Verdict>> observability = new TreeMap<>();
    for (Verdict v : verdicts.values()) {
      String active = activeOf(v);
      boolean domainDown = v.recommendation() == Recommendation.FAILOVER || v.recommendation() == Recommendation.HOLD;
      for (Map.Entry<String, CloudAssessment> e : v.clouds().entrySet()) {
        String cloud = e.getKey();
        CloudAssessment a = e.getValue();
        boolean isActive = cloud.equals(active);
        boolean down = (a.health() == Health.UNHEALTHY && a.fault() == Fault.CLOUD_WIDE) || (isActive && domainDown);
        // A brownout below the threshold pages once it has lasted a hold-down: one that is about to
        // become an outage (or a shared dependency's HOLD) then pages once, as that.
        Instant browning = brownoutSince.get(v.domain() + "/" + cloud);
        boolean brownout = ClassifierRule.BROWNOUT_BELOW_THRESHOLD.id().equals(a.rule()) && a.fault() == Fault.CLOUD_WIDE
            && browning != null && !now.isBefore(browning.plus(spec.settings().holdDown()));
        boolean partOfActiveHold = !isActive && v.recommendation() == Recommendation.HOLD && a.fault() == Fault.CLOUD_WIDE;
        String key = clip("tandem/" + v.domain() + "/" + cloud + "/" + CLOUD_WIDE);
        if ((down || brownout) && (!partOfActiveHold || open.containsKey(key))) {
          PageSeverity severity = down && isActive ? PageSeverity.CRITICAL : PageSeverity.ERROR;
          out.put(key, new Problem(key, cloud, Kind.CLOUD, cloudWideEvent(key, v, cloud, a, isActive, down,
              severity, now)));
        }
        if (a.fault() == Fault.TELEMETRY) {
          observability.computeIfAbsent(clip("tandem/observability/" + cloud + "/" + Fault.TELEMETRY.name()),
              k -> new ArrayList<>()).add(v);
        }
        if (a.health() != Health.UNKNOWN) {
          for (String vantage : blamedVantages(a)) {
            List<Verdict> vs = observability.computeIfAbsent(clip("tandem/observability/vantage/" + vantage),
                k -> new ArrayList<>());
            if (!vs.contains(v)) {
              vs.add(v);
            }
          }
        }
      }
    }
    observability.forEach((key, vs) -> {
      boolean vantage = key.startsWith("tandem/observability/vantage/");
      String subject = key.substring(key.lastIndexOf('/') + 1);
      String cloud = vantage ? cloudOfVantage(vs.get(0), subject) : key.split("/")[2];
      out.put(key, new Problem(key, cloud, Kind.OBSERVABILITY, vantage ? vantageEvent(key, subject, vs, now)
          : telemetryEvent(key, cloud, vs, now)));
    });
    Map<String, List<SloAlertChange>> byGroup = new TreeMap<>();
    Map<String, String[]> groupOf = new TreeMap<>();
    firing.forEach((k, tiers) -> {
      SloAlertChange any = tiers.firstEntry().getValue();
      String domain = domainListing(any.slo());
      String key = clip(domain == null ? "tandem/slo/" + any.slo() + "/" + any.cloud() + "/" + SLO_PAGE
          : "tandem/" + domain + "/" + any.cloud() + "/" + COMPONENT);
      byGroup.computeIfAbsent(key, x -> new ArrayList<>()).addAll(tiers.values());
      groupOf.putIfAbsent(key, new String[] {any.cloud(), domain});
    });
    byGroup.forEach((key, tiers) -> {
      String[] g = groupOf.get(key);
      out.put(key, new Problem(key, g[0], Kind.SLO, sloEvent(key, g[1], g[0], tiers, now)));
    });
    return out;
  }

  /** Vantages a cloud's evidence blames (a vantage fault or a clock running ahead). */
  private static List<String> blamedVantages(CloudAssessment a) {
    List<String> out = new ArrayList<>();
    for (Evidence e : a.evidence()) {
      Object signal = e.fields().get("signal");
      if ("vantage-blamed".equals(signal) || "clock-skew".equals(signal)) {
        Object v = e.fields().get("vantage");
        if (v != null && !out.contains(v.toString())) {
          out.add(v.toString());
        }
      }
    }
    return out;
  }

  private static String cloudOfVantage(Verdict v, String vantage) {
    for (Map.Entry<String, CloudAssessment> e : v.clouds().entrySet()) {
      if (blamedVantages(e.getValue()).contains(vantage)) {
        return e.getKey();
      }
    }
    return v.clouds().keySet().iterator().next();
  }

  /** The first domain (configuration order) that lists {@code slo}; null if none does. */
  private String domainListing(String slo) {
    String document = slo.contains("/") ? slo.substring(0, slo.indexOf('/')) : slo;
    for (DomainSpec d : spec.domains()) {
      if (d.slos().contains(slo) || d.slos().contains(document)) {
        return d.id();
      }
    }
    return null;
  }

  /** An open cloud-wide incident stays open while a cloud-wide failure of its cloud is being confirmed. */
  private boolean keptOpenByConfirming(String key) {
    String cloud = cloudWideCloud(key);
    if (cloud == null) {
      return false;
    }
    Verdict v = verdicts.get(key.split("/")[1]);
    if (v == null) {
      return false;
    }
    CloudAssessment a = v.clouds().get(cloud);
    return a != null && a.fault() == Fault.CLOUD_WIDE;
  }

  private PageEvent cloudWideEvent(String key, Verdict v, String cloud, CloudAssessment a, boolean active,
      boolean down, PageSeverity severity, Instant now) {
    String summary;
    if (!down) {
      summary = v.domain() + ": " + cloud + " is degraded across its steps (a brownout below the failover"
          + " threshold): page the owning team, no failover. " + v.reason();
    } else if (active) {
      summary = v.recommendation() + " " + v.domain() + ": " + cloud + " is down cloud-wide. " + v.reason();
    } else {
      summary = v.domain() + ": standby " + cloud + " is down cloud-wide; failover protection is lost. " + v.reason();
    }
    return new PageEvent(PageAction.TRIGGER, Routing.SERVICE, key, summary, cloud, severity, now, v.domain(),
        v.domain(), down ? "cloud-wide" : "brownout", verdictDetails(List.of(v), cloud));
  }

  private PageEvent vantageEvent(String key, String vantage, List<Verdict> vs, Instant now) {
    String cloud = cloudOfVantage(vs.get(0), vantage);
    String summary = "vantage " + vantage + ": an observer (vantage) problem, not an outage; no failover. "
        + vs.get(0).reason();
    Map<String, Object> details = verdictDetails(vs, cloud);
    details.put("vantage", vantage);
    return new PageEvent(PageAction.TRIGGER, Routing.OBSERVABILITY, key, summary, vantage, PageSeverity.WARNING, now,
        "synthetics", vantage, "vantage", details);
  }

  private PageEvent telemetryEvent(String key, String cloud, List<Verdict> vs, Instant now) {
    String summary = cloud + ": a telemetry path problem, not an outage; no failover. " + vs.get(0).reason();
    return new PageEvent(PageAction.TRIGGER, Routing.OBSERVABILITY, key, summary, cloud, PageSeverity.WARNING, now,
        "telemetry", cloud, "telemetry", verdictDetails(vs, cloud));
  }

  private PageEvent sloEvent(String key, String domain, String cloud, List<SloAlertChange> tiers, Instant now) {
    StringBuilder s = new StringBuilder();
    List<String> slos = new ArrayList<>();
    tiers.forEach(t -> {
      if (!slos.contains(t.slo())) {
        slos.add(t.slo());
      }
    });
    s.append(String.join(", ", slos)).append(" in ").append(cloud).append(slos.size() == 1 ? " burns" : " burn")
        .append(" the error budget at a paging rate (");
    for (int i = 0; i < tiers.size(); i++) {
      SloAlertChange t = tiers.get(i);
      s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s%s %.1fx",
          slos.size() == 1 ? "" : t.slo() + " ", t.tier(), t.longBurn()));
    }
    s.append(')');
    List<Verdict> related = new ArrayList<>();
    for (String slo : slos) {
      for (Verdict v : domainsOf(slo)) {
        if (!related.contains(v)) {
          related.add(v);
        }
      }
    }
    for (Verdict v : related) {
      CloudAssessment a = v.clouds().get(cloud);
      if (a != null && a.fault() == Fault.COMPONENT) {
        s.append("; component fault in ").append(v.domain()).append(": ").append(v.reason());
      }
    }
    Map<String, Object> details = alertDetails(String.join(",", slos), cloud, tiers);
    if (!related.isEmpty()) {
      details.putAll(verdictDetails(related, cloud));
    }
    return new PageEvent(PageAction.TRIGGER, Routing.SERVICE, key, s.toString(), cloud, PageSeverity.ERROR, now,
        slos.get(0), domain == null ? cloud : domain, "slo-burn", details);
  }

  private PageEvent resolve(OpenIncident i, Instant now) {
    String[] parts = i.dedupKey().split("/");
    String cloud = parts.length >= 4 ? parts[parts.length - 2] : "tandem";
    if (i.dedupKey().startsWith("tandem/observability/vantage/")) {
      cloud = parts[parts.length - 1];
    }
    return new PageEvent(PageAction.RESOLVE, i.routing(), i.dedupKey(), "Resolved: " + i.dedupKey(), cloud,
        i.severity(), now, null, null, null, resolveDetails(i.dedupKey(), cloud));
  }

  private Map<String, Object> resolveDetails(String key, String cloud) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("observer", spec.observer().id());
    List<Verdict> related = new ArrayList<>();
    for (Verdict v : verdicts.values()) {
      if (v.clouds().containsKey(cloud)) {
        related.add(v);
      }
    }
    if (!related.isEmpty()) {
      d.putAll(verdictDetails(related, cloud));
    }
    return d;
  }

  private List<Verdict> domainsOf(String slo) {
    String document = slo.contains("/") ? slo.substring(0, slo.indexOf('/')) : slo;
    List<Verdict> out = new ArrayList<>();
    for (DomainSpec d : spec.domains()) {
      Verdict v = verdicts.get(d.id());
      if (v != null && (d.slos().contains(slo) || d.slos().contains(document))) {
        out.add(v);
      }
    }
    return out;
  }

  private Map<String, Object> alertDetails(String slo, String cloud, List<SloAlertChange> tiers) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("observer", spec.observer().id());
    d.put("slo", slo);
    d.put("cloud", cloud);
    List<Map<String, Object>> t = new ArrayList<>();
    for (SloAlertChange c : tiers) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("slo", c.slo());
      m.put("tier", c.tier());
      m.put("severity", c.severity());
      m.put("firing", c.firing());
      m.put("since", c.ts().toString());
      m.put("longBurn", finite(c.longBurn()));
      m.put("shortBurn", finite(c.shortBurn()));
      m.put("budgetRemaining", finite(c.budgetRemaining()));
      t.add(m);
    }
    d.put("tiers", t);
    return d;
  }

  /** The verdicts, each with the assessment of {@code cloud} and its evidence first. */
  private Map<String, Object> verdictDetails(List<Verdict> vs, String cloud) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("observer", spec.observer().id());
    Verdict first = vs.get(0);
    d.put("domain", first.domain());
    d.put("recommendation", first.recommendation().name());
    d.put("reason", first.reason());
    CloudAssessment a = first.clouds().get(cloud);
    if (a != null) {
      d.put("cloud", cloud);
      d.put("role", a.role());
      d.put("health", a.health().name());
      d.put("fault", a.fault().name());
      if (a.rule() != null) {
        d.put("rule", a.rule());
      }
      List<Map<String, Object>> evidence = new ArrayList<>();
      for (Evidence e : a.evidence()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", e.kind());
        m.put("detail", e.detail());
        m.putAll(e.fields());
        evidence.add(m);
      }
      d.put("evidence", evidence);
    }
    List<Object> encoded = new ArrayList<>();
    for (Verdict v : vs) {
      encoded.add(json.convertValue(verdictJson.encode(v), new TypeReference<Map<String, Object>>() { }));
    }
    d.put("verdicts", encoded);
    return d;
  }

  private boolean stillUnknown(String key) {
    String[] parts = key.split("/");
    if (parts.length != 4 || parts[1].equals("slo")) {
      return false;
    }
    if (parts[1].equals("observability")) {
      if (verdicts.isEmpty()) {
        return true;
      }
      if (parts[2].equals("vantage")) {
        return false;
      }
      String cloud = parts[2];
      return verdicts.values().stream().anyMatch(v -> v.clouds().containsKey(cloud)
          && v.clouds().get(cloud).health() == Health.UNKNOWN);
    }
    if (parts[3].equals(COMPONENT)) {
      return false;
    }
    Verdict v = verdicts.get(parts[1]);
    if (v == null) {
      return true;
    }
    CloudAssessment a = v.clouds().get(parts[2]);
    return a != null && a.health() == Health.UNKNOWN;
  }

  /** The cloud of a cloud-wide incident key, else null. */
  private static String cloudWideCloud(String key) {
    String[] parts = key.split("/");
    if (parts.length == 4 && parts[3].equals(CLOUD_WIDE) && !parts[1].equals("slo")
        && !parts[1].equals("observability")) {
      return parts[2];
    }
    return null;
  }

  private static String activeOf(Verdict v) {
    for (Map.Entry<String, CloudAssessment> e : v.clouds().entrySet()) {
      if (CloudAssessment.ACTIVE.equals(e.getValue().role())) {
        return e.getKey();
      }
    }
    return "";
  }

  private static Object finite(double d) {
    return Double.isFinite(d) ? (Object) d : String.valueOf(d);
  }

  private static String clip(String key) {
    return key.length() <= PageEvent.MAX_DEDUP_KEY ? key : key.substring(0, PageEvent.MAX_DEDUP_KEY);
  }
}
