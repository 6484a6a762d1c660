package dev.tandem.engine.budget;

import dev.tandem.engine.observation.MaintenanceObservation;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.SliObservation;
import dev.tandem.engine.observation.TelemetryObservation;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Error budgets and multi-window burn rates for every SLO in every cloud. Observations are routed
 * to the SLOs whose selector matches them through an index (journey or service), so the cost of
 * an observation does not grow with the number of SLOs. Series exist for configured clouds only:
 * their number is bounded by SLOs x clouds.
 *
 * <p>Thread-safe (one lock; a few microseconds per call). Time comes from the injected clock.
 */
public final class SloEngine implements ObservationSink {
  /**
   * The no-data rule: a series without events for this long fires a {@code no-data} alert
   * (ticket, never a page), as the generated Prometheus rules do.
   */
  public static final java.time.Duration NO_DATA_WINDOW = SloSeries.NO_DATA_WINDOW;
  private final Clock clock;
  private final Set<String> clouds;
  /** An SLO and its series per cloud: what an index entry points to. */
  private static final class Route {
    final SloSpec spec;
    final Map<String, SloSeries> byCloud = new HashMap<>();
    /** Per cloud: cumulative {good, total} events counted into the series (for self-metrics). */
    final Map<String, long[]> events = new HashMap<>();
    /** For span and histogram latency SLIs, the latency bucket of the threshold; else -1. */
    final int latencyBound;

    Route(SloSpec spec) {
      this.spec = spec;
      this.latencyBound = spec.latencyThresholdMs() == null ? -1
          : dev.tandem.engine.observation.LatencyCounts.boundIndex(spec.latencyThresholdMs());
    }
  }

  private final Map<String, List<Route>> probeIndex = new HashMap<>();
  private final Map<String, List<Route>> spanIndex = new HashMap<>();
  private final Map<String, List<Route>> histogramIndex = new HashMap<>();
  private final List<Route> sliRoutes = new ArrayList<>();
  private final Map<String, SloSeries> series = new LinkedHashMap<>();
  private final Map<String, long[]> events = new HashMap<>();
  private final List<SloSpec> specs;
  private final List<MaintenanceWindow> maintenance = new CopyOnWriteArrayList<>();
  private final List<Consumer<SloAlertChange>> listeners = new CopyOnWriteArrayList<>();
  private volatile List<SloStatus> latest = List.of();
  private long unmatched;
  private long withoutLatency;
  private long foreignCloud;
  private long refusedAhead;
  private volatile java.time.Duration maxClockSkew = dev.tandem.engine.observation.ClockDiscipline.DEFAULT_MAX_SKEW;

  public SloEngine(List<SloSpec> specs, List<String> clouds, Clock clock) {
    this.specs = List.copyOf(specs);
    this.clouds = Set.copyOf(clouds);
    this.clock = clock;
    for (SloSpec s : specs) {
      Route route = new Route(s);
      for (String cloud : clouds) {
        SloSeries one = new SloSeries(s, cloud, clock.instant());
        series.put(s.name() + "\u0000" + cloud, one);
        route.byCloud.put(cloud, one);
        long[] counted = new long[2];
        route.events.put(cloud, counted);
        events.put(s.name() + "\u0000" + cloud, counted);
      }
      Selector sel = s.selector();
      switch (sel.source()) {
        case PROBE:
          probeIndex.computeIfAbsent(orStar(sel.filter(Selector.JOURNEY)), k -> new ArrayList<>()).add(route);
          break;
        case SPAN:
          spanIndex.computeIfAbsent(orStar(sel.filter(Selector.SERVICE)), k -> new ArrayList<>()).add(route);
          break;
        case HISTOGRAM:
          histogramIndex.computeIfAbsent(orStar(sel.filter(Selector.SERVICE)), k -> new ArrayList<>()).add(route);
          break;
        default:
          sliRoutes.add(route);
          break;
      }
    }
  }

  private static String orStar(String v) {
    return v == null ? "*" : v;
  }

  public List<SloSpec> specs() {
    return specs;
  }

  public void addListener(Consumer<SloAlertChange> listener) {
    listeners.add(listener);
  }

  /**
   * Adds a maintenance window (replacing one with the same id); its events stop consuming budget
   * from now on.
   */
  public void addMaintenance(MaintenanceWindow window) {
    synchronized (maintenance) {
      maintenance.removeIf(m -> m.id().equals(window.id()));
      maintenance.add(window);
    }
  }

  public boolean removeMaintenance(String id) {
    return maintenance.removeIf(m -> m.id().equals(id));
  }

  public List<MaintenanceWindow> maintenance() {
    return List.copyOf(maintenance);
  }

  /** Observations stamped further ahead of this engine's clock are refused (and counted). */
  public void setMaxClockSkew(java.time.Duration skew) {
    this.maxClockSkew = java.util.Objects.requireNonNull(skew, "skew");
  }

  @Override
  public synchronized void accept(Observation o) {
    Instant now = clock.instant();
    if (dev.tandem.engine.observation.ClockDiscipline.tooFarAhead(o, now.toEpochMilli(), maxClockSkew.toMillis())) {
      refusedAhead++;
      return;
    }
    if (o instanceof ProbeObservation p) {
      probe(probeIndex.get(p.journey()), p, now);
      probe(probeIndex.get("*"), p, now);
    } else if (o instanceof TelemetryObservation t) {
      Map<String, List<Route>> index = "span".equals(t.source()) ? spanIndex : histogramIndex;
      telemetry(index.get(t.service()), t, now);
      telemetry(index.get("*"), t, now);
    } else if (o instanceof SliObservation sli) {
      for (Route r : sliRoutes) {
        if (sli.slo().equals(sloOf(r.spec))) {
          count(r, sli.cloud(), sli.ts(), now, sli.good(), sli.total());
        } else {
          unmatched++;
        }
      }
    } else if (o instanceof MaintenanceObservation m) {
      // A window changed through the API, read back from an observation log.
      if (m.action() == MaintenanceObservation.Action.ADD) {
        addMaintenance(new MaintenanceWindow(m.id(), m.slo(), m.cloud(), m.start(), m.end(), m.reason()));
      } else {
        removeMaintenance(m.id());
      }
    }
  }

  private void probe(List<Route> routes, ProbeObservation p, Instant now) {
    if (routes == null) {
      return;
    }
    for (Route r : routes) {
      if (matches(r.spec.selector(), p)) {
        long[] c = counts(r.spec, p);
        count(r, p.cloud(), p.ts(), now, c[0], c[1]);
      } else {
        unmatched++;
      }
    }
  }

  private void telemetry(List<Route> routes, TelemetryObservation t, Instant now) {
    if (routes == null) {
      return;
    }
    for (Route r : routes) {
      if (!matches(r.spec.selector(), t)) {
        unmatched++;
      } else if (r.latencyBound < 0) {
        count(r, t.cloud(), t.ts(), now, t.good(), t.total());
      } else if (t.latency() != null) {
        // A latency SLI: good = requests no slower than the threshold.
        count(r, t.cloud(), t.ts(), now, t.latency().atMost(r.latencyBound), t.total());
      } else {
        withoutLatency++;
      }
    }
  }

  private void count(Route r, String cloud, Instant at, Instant now, long good, long total) {
    SloSeries s = r.byCloud.get(cloud);
    if (s == null) {
      foreignCloud++;
      return;
    }
    if (!maintenance.isEmpty() && inMaintenance(r.spec.name(), cloud, at)) {
      s.excluded++;
      return;
    }
    long lateBefore = s.late;
    s.add(at, good, total, now);
    if (s.late == lateBefore) {
      // Counted by the series (events too late for every window are not).
      long[] counted = r.events.get(cloud);
      counted[0] += good;
      counted[1] += total;
    }
  }

  private boolean inMaintenance(String slo, String cloud, Instant at) {
    for (MaintenanceWindow m : maintenance) {
      if (m.covers(slo, cloud, at)) {
        return true;
      }
    }
    return false;
  }

  /** The SLO an {@code sli} sample names: the document's name, shared by all its objectives. */
  private static String sloOf(SloSpec s) {
    String named = s.selector().filter(Selector.SLO);
    return named != null ? named : s.name();
  }

  private static long[] counts(SloSpec s, ProbeObservation p) {
    boolean good = p.ok() && (s.latencyThresholdMs() == null || p.latencyMs() < s.latencyThresholdMs());
    return new long[] {good ? 1 : 0, 1};
  }

  static boolean matches(Selector s, ProbeObservation p) {
    return s.source() == Selector.Source.PROBE && eq(s.filter(Selector.JOURNEY), p.journey())
        && eq(s.filter(Selector.STEP), p.step()) && eq(s.filter(Selector.VANTAGE), p.vantage());
  }

  static boolean matches(Selector s, TelemetryObservation t) {
    boolean source = "span".equals(t.source()) ? s.source() == Selector.Source.SPAN
        : s.source() == Selector.Source.HISTOGRAM;
    return source && eq(s.filter(Selector.SERVICE), t.service()) && eq(s.filter(Selector.OPERATION), t.operation());
  }

  private static boolean eq(String filter, String value) {
    return filter == null || filter.equals(value);
  }

  /** Every SLO in every cloud, now; tells listeners about tiers that started or stopped firing. */
  public List<SloStatus> evaluate() {
    List<SloAlertChange> changes = new ArrayList<>();
    List<SloStatus> out = new ArrayList<>(series.size());
    synchronized (this) {
      Instant now = clock.instant();
      for (SloSeries s : series.values()) {
        out.add(s.status(now, changes));
      }
    }
    latest = List.copyOf(out);
    for (SloAlertChange c : changes) {
      listeners.forEach(l -> l.accept(c));
    }
    return out;
  }

  /**
   * The SLOs among {@code slos} (document names; an SLO's later objectives count as it) with a
   * page tier firing in {@code cloud}, as of the latest evaluation.
   */
  public List<String> pageTierFiring(String cloud, List<String> slos) {
    List<String> out = new ArrayList<>();
    for (SloStatus s : latest) {
      if (!s.cloud().equals(cloud)) {
        continue;
      }
      String document = s.slo().contains("/") ? s.slo().substring(0, s.slo().indexOf('/')) : s.slo();
      if (slos.contains(document) && !out.contains(document)
          && s.tiers().stream().anyMatch(t -> t.firing() && "page".equals(t.severity()))) {
        out.add(document);
      }
    }
    return out;
  }

  /** The statuses of the latest {@link #evaluate()}; empty before the first. */
  public List<SloStatus> current() {
    return latest;
  }

  public synchronized Optional<SloStatus> status(String slo, String cloud) {
    SloSeries s = series.get(slo + "\u0000" + cloud);
    return s == null ? Optional.empty() : Optional.of(s.status(clock.instant(), new ArrayList<>()));
  }

  /**
   * Events counted into the SLO's series in {@code cloud} since start (not restored from a
   * snapshot): good ones when {@code good}, else bad ones; 0 for an unknown series. Exactly what
   * the budget counts, raw events before any time slicing, maintenance exclusions left out. For
   * monotonic counters such as Prometheus' {@code tandem_slo_events_total}.
   */
  public synchronized long events(String slo, String cloud, boolean good) {
    long[] counted = events.get(slo + "\u0000" + cloud);
    if (counted == null) {
      return 0;
    }
    return good ? counted[0] : counted[1] - counted[0];
  }

  /** Observations that reached an SLO's index entry but failed its filters (for self-metrics). */
  public synchronized long unmatched() {
    return unmatched;
  }

  /** Aggregates a latency SLI could not count because they carried no latencies. */
  public synchronized long withoutLatency() {
    return withoutLatency;
  }

  public synchronized long foreignCloud() {
    return foreignCloud;
  }

  /** Observations refused because they were stamped more than the clock skew bound ahead. */
  public synchronized long refusedAhead() {
    return refusedAhead;
  }

  /** Events too late for every window of their series (dropped), over all series. */
  public synchronized long late() {
    long sum = 0;
    for (SloSeries s : series.values()) {
      sum += s.late;
    }
    return sum;
  }

  public synchronized long heapBytes() {
    long sum = 0;
    for (SloSeries s : series.values()) {
      sum += s.heapBytes();
    }
    return sum;
  }

  /** The whole state, for a snapshot; plain maps, lists and arrays (JSON-friendly). */
  public synchronized Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    series.forEach((k, s) -> out.put(s.spec.name() + "/" + s.cloud, s.snapshot()));
    return out;
  }

  /** Restores a snapshot; series the snapshot does not know start empty, unknown ones are skipped. */
  @SuppressWarnings("unchecked")
  public synchronized int restore(Map<String, Object> snapshot) {
    int restored = 0;
    for (SloSeries s : series.values()) {
      Object state = snapshot.get(s.spec.name() + "/" + s.cloud);
      if (state instanceof Map<?, ?> m) {
        s.restore((Map<String, Object>) m);
        restored++;
      }
    }
    return restored;
  }
}
