package dev.tandem.engine.paging;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.budget.BurnRateTier;
import dev.tandem.engine.budget.SloAlertChange;
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
 * the incidents it has open: a problem without an incident is triggered, an incident without a
 * problem is resolved (same dedup key, same routing). A problem is never triggered twice while
 * open, even when its severity or evidence changes.
 *
 * <p>Problems and their dedup keys:
 * <ul>
 *   <li>{@code tandem/{domain}/{cloud}/CLOUD_WIDE}: the cloud is {@code UNHEALTHY} with fault
 *       {@code CLOUD_WIDE}, or it is the active cloud of a {@code FAILOVER} or {@code HOLD} verdict.
 *       {@code critical} while the cloud is active, {@code error} for a standby that is down
 *       (failover protection lost). When both clouds fail the same way (HOLD, shared dependency)
 *       it is one incident, keyed by the active cloud. Routed to the service owner.
 *   <li>{@code tandem/slo/{slo}/{cloud}/page}: at least one page tier ({@code page-fast},
 *       {@code page-slow}) of the SLO fires in that cloud: {@code error}, to the service owner.
 *       This is how a COMPONENT fault pages: its custom details carry the verdict of every domain
 *       that lists the SLO, with the cloud's fault and evidence. A COMPONENT fault whose SLOs do not
 *       burn at a page tier does not page. Ticket tiers never page: they give a
 *       {@link PageRecord.Disposition#NOT_PAGED} record.
 *   <li>{@code tandem/observability/{cloud}/{VANTAGE|TELEMETRY}}: some domain reports that fault for
 *       the cloud: {@code warning}, routed to {@link Routing#OBSERVABILITY}. One incident however
 *       many domains see it. Never pages the service owner.
 * </ul>
 *
 * <p>Inhibition: while a cloud-wide incident is open for a cloud, or a cloud-wide failure of it is
 * being confirmed (fault {@code CLOUD_WIDE} during the hold-down: burn-rate pages usually fire
 * before the hold-down ends), a new SLO page for that cloud is held back and recorded once as {@link PageRecord.Disposition#SUPPRESSED}. When the cloud-wide
 * incident resolves, every held-back problem that is still there is triggered then (it is still
 * relevant: the component is still burning budget after the cloud recovered); one that cleared in
 * the meantime is dropped silently. SLO pages already open when the cloud-wide incident began stay
 * open. Observability warnings are not held back: they go to another team.
 *
 * <p>Unknown is not recovery: an open cloud-wide or observability incident whose cloud is
 * {@code UNKNOWN} (or whose domain has no verdict yet, as after a restart) stays open.
 *
 * <p>Thread-safe (synchronized); calls are short.
 */
public final class PagingPolicy {
  static final String CLOUD_WIDE = "CLOUD_WIDE";
  static final String SLO_PAGE = "page";

  private final EngineSpec spec;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final VerdictJson verdictJson = new VerdictJson(json);
  private final Map<String, Verdict> verdicts = new TreeMap<>();
  /** slo + "/" + cloud to firing page tiers (by tier name). */
  private final Map<String, TreeMap<String, SloAlertChange>> firing = new TreeMap<>();
  private final Map<String, OpenIncident> open = new TreeMap<>();
  private final Set<String> held = new TreeSet<>();

  /** A problem that should have an open incident. */
  private record Problem(String key, String cloud, boolean cloudWide, boolean suppressible, PageEvent trigger) {}

  private PagingPolicy(EngineSpec spec, Clock clock) {
    this.spec = spec;
    this.clock = clock;
  }

  public static PagingPolicy create(EngineSpec spec, Clock clock) {
    return new PagingPolicy(spec, clock);
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

  /** A domain's verdict changed ({@code VerdictEngine} listener). */
  public synchronized List<PageRecord> onVerdict(Verdict previous, Verdict next) {
    verdicts.put(next.domain(), next);
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
          "a " + c.severity() + "-tier burn never pages"));
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
   * pages are decided now, against this round's verdicts. Burn-rate tiers usually fire in the same
   * round that first suspects a cloud-wide failure; deciding at the end of the round holds such a
   * page back instead of sending it just before the critical one.
   */
  public synchronized List<PageRecord> evaluated() {
    return reconcile(true);
  }

  private List<PageRecord> reconcile(boolean decideSloPages) {
    Instant now = clock.instant();
    Map<String, Problem> desired = problems(now);
    List<PageRecord> out = new ArrayList<>();
    // 1. Cloud-wide incidents open first, so that what they inhibit is held back in the same step.
    for (Problem p : desired.values()) {
      if (p.cloudWide() && !open.containsKey(p.key())) {
        send(out, p.trigger(), "");
      }
    }
    // 2. Resolve what is no longer a problem (unknown is not recovery).
    for (OpenIncident i : List.copyOf(open.values())) {
      if (!desired.containsKey(i.dedupKey()) && !stillUnknown(i.dedupKey())) {
        send(out, resolve(i, now), "");
      }
    }
    Set<String> cloudWideOpen = new TreeSet<>();
    for (String key : open.keySet()) {
      String cloud = cloudWideCloud(key);
      if (cloud != null) {
        cloudWideOpen.add(cloud);
      }
    }
    // A cloud-wide failure still being confirmed (hold-down), or the standby's side of a HOLD for a
    // shared dependency, holds pages back too: the critical page is coming, or already covers it.
    for (Verdict v : verdicts.values()) {
      v.clouds().forEach((cloud, a) -> {
        if (a.fault() == Fault.CLOUD_WIDE) {
          cloudWideOpen.add(cloud);
        }
      });
    }
    // A vantage that cannot reach a cloud burns the probe-based SLOs of that cloud too; its owner
    // is not paged for an observer problem (the observability team gets the VANTAGE warning).
    Set<String> vantageFault = new TreeSet<>();
    for (Verdict v : verdicts.values()) {
      v.clouds().forEach((cloud, a) -> {
        if (a.fault() == Fault.VANTAGE) {
          vantageFault.add(cloud);
        }
      });
    }
    // 3. Everything else: trigger, or hold back while its cloud has a cloud-wide incident.
    held.retainAll(desired.keySet());
    for (Problem p : desired.values()) {
      if (p.cloudWide() || open.containsKey(p.key()) || (p.suppressible() && !decideSloPages)) {
        continue;
      }
      if (p.suppressible() && cloudWideOpen.contains(p.cloud())) {
        if (held.add(p.key())) {
          out.add(new PageRecord(PageRecord.Disposition.SUPPRESSED, p.trigger(),
              "held back: " + p.cloud() + " is failing cloud-wide (incident open or being confirmed)"));
        }
        continue;
      }
      if (p.suppressible() && vantageFault.contains(p.cloud())) {
        if (held.add(p.key())) {
          out.add(new PageRecord(PageRecord.Disposition.SUPPRESSED, p.trigger(),
              "held back: a vantage cannot reach " + p.cloud() + "; its failed probes burn this SLO, not the service"));
        }
        continue;
      }
      boolean released = held.remove(p.key());
      send(out, p.trigger(), released ? "released: what held it back on " + p.cloud() + " has cleared" : "");
    }
    return out;
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
        boolean partOfActiveHold = !isActive && v.recommendation() == Recommendation.HOLD && a.fault() == Fault.CLOUD_WIDE;
        String key = clip("tandem/" + v.domain() + "/" + cloud + "/" + CLOUD_WIDE);
        if (down && (!partOfActiveHold || open.containsKey(key))) {
          out.put(key, new Problem(key, cloud, true, false, cloudWideEvent(key, v, cloud, a, isActive, now)));
        }
        if (a.fault() == Fault.VANTAGE || a.fault() == Fault.TELEMETRY) {
          String obsKey = clip("tandem/observability/" + cloud + "/" + a.fault().name());
          observability.computeIfAbsent(obsKey, k -> new ArrayList<>()).add(v);
        }
      }
    }
    observability.forEach((key, vs) -> {
      String[] parts = key.split("/");
      String cloud = parts[2];
      Fault fault = Fault.valueOf(parts[3]);
      out.put(key, new Problem(key, cloud, false, false, observabilityEvent(key, cloud, fault, vs, now)));
    });
    firing.forEach((k, tiers) -> {
      SloAlertChange any = tiers.firstEntry().getValue();
      String key = clip("tandem/slo/" + any.slo() + "/" + any.cloud() + "/" + SLO_PAGE);
      out.put(key, new Problem(key, any.cloud(), false, true, sloEvent(key, any.slo(), any.cloud(),
          List.copyOf(tiers.values()), now)));
    });
    return out;
  }

  private PageEvent cloudWideEvent(String key, Verdict v, String cloud, CloudAssessment a, boolean active,
      Instant now) {
    String summary = active
        ? v.recommendation() + " " + v.domain() + ": " + cloud + " is down cloud-wide. " + v.reason()
        : v.domain() + ": standby " + cloud + " is down cloud-wide; failover protection is lost. " + v.reason();
    return new PageEvent(PageAction.TRIGGER, Routing.SERVICE, key, summary, cloud,
        active ? PageSeverity.CRITICAL : PageSeverity.ERROR, now, v.domain(), v.domain(),
        "cloud-wide", verdictDetails(List.of(v), cloud));
  }

  private PageEvent observabilityEvent(String key, String cloud, Fault fault, List<Verdict> vs, Instant now) {
    Verdict first = vs.get(0);
    String what = fault == Fault.VANTAGE ? "an observer (vantage) problem" : "a telemetry path problem";
    String summary = cloud + ": " + what + ", not an outage; no failover. " + first.reason();
    return new PageEvent(PageAction.TRIGGER, Routing.OBSERVABILITY, key, summary, cloud, PageSeverity.WARNING, now,
        fault == Fault.VANTAGE ? "synthetics" : "telemetry", cloud, fault.name().toLowerCase(Locale.ROOT),
        verdictDetails(vs, cloud));
  }

  private PageEvent sloEvent(String key, String slo, String cloud, List<SloAlertChange> tiers, Instant now) {
    StringBuilder s = new StringBuilder();
    s.append(slo).append(" in ").append(cloud).append(" burns its error budget at a paging rate (");
    for (int i = 0; i < tiers.size(); i++) {
      SloAlertChange t = tiers.get(i);
      s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1fx", t.tier(), t.longBurn()));
    }
    s.append(')');
    List<String> domains = new ArrayList<>();
    for (Verdict v : domainsOf(slo)) {
      domains.add(v.domain());
      CloudAssessment a = v.clouds().get(cloud);
      if (a != null && a.fault() == Fault.COMPONENT) {
        s.append("; component fault in ").append(v.domain()).append(": ").append(v.reason());
      }
    }
    Map<String, Object> details = alertDetails(slo, cloud, tiers);
    List<Verdict> related = domainsOf(slo);
    if (!related.isEmpty()) {
      details.putAll(verdictDetails(related, cloud));
    }
    return new PageEvent(PageAction.TRIGGER, Routing.SERVICE, key, s.toString(), cloud, PageSeverity.ERROR, now,
        slo, domains.isEmpty() ? cloud : String.join(",", domains), "slo-burn", details);
  }

  private PageEvent resolve(OpenIncident i, Instant now) {
    String[] parts = i.dedupKey().split("/");
    String cloud = parts.length >= 4 ? parts[parts.length - 2] : "tandem";
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
    List<Verdict> out = new ArrayList<>();
    for (DomainSpec d : spec.domains()) {
      Verdict v = verdicts.get(d.id());
      if (v != null && d.slos().contains(slo)) {
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
    String cloud = parts[2];
    if (parts[1].equals("observability")) {
      if (verdicts.isEmpty()) {
        return true;
      }
      return verdicts.values().stream().anyMatch(v -> v.clouds().containsKey(cloud)
          && v.clouds().get(cloud).health() == Health.UNKNOWN);
    }
    Verdict v = verdicts.get(parts[1]);
    if (v == null) {
      return true;
    }
    CloudAssessment a = v.clouds().get(cloud);
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
