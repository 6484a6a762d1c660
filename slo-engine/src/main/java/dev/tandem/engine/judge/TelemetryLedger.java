package dev.tandem.engine.judge;

import dev.tandem.engine.observation.TelemetryObservation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Server-side request outcomes per cloud x service x operation, from the platform's own
 * telemetry. Bounded like {@link ProbeLedger}: series past {@link #MAX_SERIES} are dropped.
 */
final class TelemetryLedger {
  static final int MAX_SERIES = 5_000;
  private static final int BUCKETS = 30;

  private record Key(String cloud, String service, String operation) {}

  /** One operation's server-side outcomes over the window. */
  record OperationStats(String service, String operation, long good, long total) {
    long failed() {
      return total - good;
    }
  }

  private final long windowMillis;
  private final Map<Key, CountRing> series = new HashMap<>();
  private long dropped;
  private long late;

  TelemetryLedger(long windowMillis) {
    this.windowMillis = Math.max(windowMillis, BUCKETS);
  }

  void add(TelemetryObservation t, Instant now) {
    // Spans and histograms describe the same requests: count spans only when both arrive.
    if (!"span".equals(t.source())) {
      return;
    }
    Key key = new Key(t.cloud(), t.service(), t.operation());
    CountRing ring = series.get(key);
    if (ring == null) {
      if (series.size() >= MAX_SERIES) {
        dropped++;
        return;
      }
      ring = new CountRing(windowMillis, BUCKETS, 2);
      series.put(key, ring);
    }
    long at = Math.min(t.ts().toEpochMilli(), now.toEpochMilli());
    if (!ring.add(at, now.toEpochMilli(), 0, t.good())) {
      late++;
      return;
    }
    ring.add(at, now.toEpochMilli(), 1, t.total());
  }

  List<OperationStats> stats(String cloud, Instant now) {
    List<OperationStats> out = new ArrayList<>();
    for (Map.Entry<Key, CountRing> e : series.entrySet()) {
      if (e.getKey().cloud.equals(cloud)) {
        long[] sum = new long[2];
        e.getValue().sumInto(now.toEpochMilli(), BUCKETS, sum);
        if (sum[1] > 0) {
          out.add(new OperationStats(e.getKey().service, e.getKey().operation, sum[0], sum[1]));
        }
      }
    }
    out.sort(java.util.Comparator.comparing(OperationStats::service)
        .thenComparing(OperationStats::operation));
    return out;
  }

  long dropped() {
    return dropped;
  }

  long late() {
    return late;
  }
}
