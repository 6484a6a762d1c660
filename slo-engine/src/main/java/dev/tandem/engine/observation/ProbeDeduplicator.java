package dev.tandem.engine.observation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lets each probe step result through once. A result may arrive twice: straight from an
 * in-process runner and as a span over one or both telemetry paths (runs are dual-homed so that
 * losing a path loses no result). A step of a run is identified by run, step, cloud and vantage.
 * Bounded: the {@code capacity} most recent keys are remembered; an older duplicate would pass
 * (results arrive within seconds of each other, far inside the bound). Thread-safe.
 */
public final class ProbeDeduplicator {
  public static final int DEFAULT_CAPACITY = 100_000;

  private final Map<String, Boolean> seen;
  private long duplicates;

  public ProbeDeduplicator(int capacity) {
    this.seen = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  /** True the first time a step result is seen; other observations always pass. */
  public synchronized boolean firstSeen(Observation o) {
    if (!(o instanceof ProbeObservation p)) {
      return true;
    }
    String key = p.run() + '\u0000' + p.step() + '\u0000' + p.cloud() + '\u0000' + p.vantage();
    if (seen.putIfAbsent(key, Boolean.TRUE) != null) {
      duplicates++;
      return false;
    }
    return true;
  }

  public synchronized long duplicates() {
    return duplicates;
  }
}
