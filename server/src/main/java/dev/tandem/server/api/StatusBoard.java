package dev.tandem.server.api;

import dev.tandem.engine.budget.SloStatus;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.ProbeObservation;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the status page shows beyond verdicts and SLOs: the latest outcome of every probe step per
 * vantage and cloud, the latest heartbeat per telemetry path, and a short history of burn rates
 * for sparklines. Fed like any other sink (the node's fan-out) and sampled on the engine's tick.
 *
 * <p>Bounded: at most {@link #MAX_CELLS} probe cells and {@link #MAX_PATHS} paths (new keys past
 * the bound are dropped and counted; the keys come from configuration, so only bad input reaches
 * it); {@link #HISTORY} samples per SLO, cloud and window (the oldest is dropped).
 */
public final class StatusBoard implements ObservationSink {
  /** Probe cells (vantage x cloud x journey x step) kept; past it new cells are dropped and counted. */
  public static final int MAX_CELLS = 2_000;
  /** Telemetry paths kept. */
  public static final int MAX_PATHS = 64;
  /** Burn-rate samples kept per SLO and cloud (one per engine tick; the oldest is dropped). */
  public static final int HISTORY = 60;
  /** SLO x cloud series kept in the history. */
  public static final int MAX_SERIES = 512;

  /** The latest outcome of one probe step from one vantage against one cloud. */
  public record ProbeCell(String vantage, String cloud, String journey, String step, boolean ok, Instant at,
      long latencyMs, String error, int attempts, String run) {
    public ProbeCell {
      java.util.Objects.requireNonNull(vantage, "vantage");
      java.util.Objects.requireNonNull(cloud, "cloud");
      java.util.Objects.requireNonNull(journey, "journey");
      java.util.Objects.requireNonNull(step, "step");
      java.util.Objects.requireNonNull(at, "at");
      java.util.Objects.requireNonNull(run, "run");
      if (!ok && error == null) {
        throw new IllegalArgumentException("a failed step needs an error");
      }
    }
  }

  /** One burn-rate sample: when, the budget left, and the burn rate per window (windows without a finite rate are absent). */
  public record BurnSample(Instant at, Map<String, Double> burnRates, double budgetRemaining) {
    public BurnSample {
      java.util.Objects.requireNonNull(at, "at");
      burnRates = Map.copyOf(burnRates);
    }
  }

  private final Clock clock;
  private final Map<String, ProbeCell> cells = new TreeMap<>();
  /** The newest cell per vantage, cloud and journey (never more entries than cells). */
  private final Map<String, ProbeCell> latestOfJourney = new LinkedHashMap<>();
  private final Map<String, Instant> heartbeats = new LinkedHashMap<>();
  private final Map<String, Deque<BurnSample>> history = new LinkedHashMap<>();
  private long droppedCells;
  private long droppedPaths;

  public StatusBoard(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized void accept(Observation o) {
    if (o instanceof ProbeObservation) {
      ProbeObservation p = (ProbeObservation) o;
      String key = p.vantage() + '\u0000' + p.cloud() + '\u0000' + p.journey() + '\u0000' + p.step();
      ProbeCell prev = cells.get(key);
      if (prev == null && cells.size() >= MAX_CELLS) {
        droppedCells++;
        return;
      }
      // Latest by the probe's own time: a late outcome never hides a newer one.
      if (prev == null || !p.ts().isBefore(prev.at())) {
        ProbeCell cell = new ProbeCell(p.vantage(), p.cloud(), p.journey(), p.step(), p.ok(), p.ts(), p.latencyMs(),
            p.error(), p.attempts(), p.run());
        cells.put(key, cell);
        latestOfJourney.merge(journeyKey(p.vantage(), p.cloud(), p.journey()), cell,
            (old, now) -> now.at().isBefore(old.at()) ? old : now);
      }
    } else if (o instanceof HeartbeatObservation) {
      HeartbeatObservation h = (HeartbeatObservation) o;
      Instant prev = heartbeats.get(h.path());
      if (prev == null && heartbeats.size() >= MAX_PATHS) {
        droppedPaths++;
        return;
      }
      if (prev == null || h.ts().isAfter(prev)) {
        heartbeats.put(h.path(), h.ts());
      }
    }
  }

  /** Records the burn rates of {@code statuses} now (called on the engine's tick). */
  public synchronized void sample(List<SloStatus> statuses) {
    Instant now = clock.instant();
    for (SloStatus s : statuses) {
      String key = s.slo() + '\u0000' + s.cloud();
      Deque<BurnSample> ring = history.get(key);
      if (ring == null) {
        if (history.size() >= MAX_SERIES) {
          continue;
        }
        ring = new ArrayDeque<>();
        history.put(key, ring);
      }
      Map<String, Double> rates = new TreeMap<>();
      s.burnRates().forEach((w, r) -> {
        if (r != null && Double.isFinite(r)) {
          rates.put(w, r);
        }
      });
      if (ring.size() >= HISTORY) {
        ring.removeFirst();
      }
      ring.addLast(new BurnSample(now, rates, s.budgetRemaining()));
    }
  }

  /** Latest probe outcomes, ordered by vantage, cloud, journey, step. */
  public synchronized List<ProbeCell> cells() {
    return List.copyOf(cells.values());
  }

  /**
   * Whether the latest run of the cell's journey (same vantage and cloud) did not reach its step:
   * after a failed step the rest of a journey is not run, and its older outcome must not read as
   * current.
   */
  public synchronized boolean notReachedByLatestRun(ProbeCell cell) {
    ProbeCell latest = latestOfJourney.get(journeyKey(cell.vantage(), cell.cloud(), cell.journey()));
    return latest != null && !latest.run().equals(cell.run());
  }

  private static String journeyKey(String vantage, String cloud, String journey) {
    return vantage + '\u0000' + cloud + '\u0000' + journey;
  }

  /** Latest heartbeat per path id (paths never heard from are absent). */
  public synchronized Map<String, Instant> heartbeats() {
    return Map.copyOf(heartbeats);
  }

  /** Burn-rate history of one SLO in one cloud, oldest first. */
  public synchronized List<BurnSample> history(String slo, String cloud) {
    Deque<BurnSample> ring = history.get(slo + '\u0000' + cloud);
    return ring == null ? List.of() : List.copyOf(new ArrayList<>(ring));
  }

  public synchronized long droppedCells() {
    return droppedCells;
  }

  public synchronized long droppedPaths() {
    return droppedPaths;
  }
}
