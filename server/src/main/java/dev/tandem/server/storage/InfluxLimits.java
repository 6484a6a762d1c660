package dev.tandem.server.storage;

import java.time.Duration;

/**
 * The bounds and timings of the InfluxDB sink's writer.
 *
 * @param queuePoints points held in memory between the callers and the writer thread; beyond it
 *     {@code accept} drops the point (counted as {@code queue_full}). While it is still half full
 *     after a batch was taken from it, the writer spills batches to disk instead of waiting for a
 *     slow database.
 * @param batchPoints the most points in one write request
 * @param flushInterval the longest a point waits in memory for its batch to fill
 * @param spillBytes the bound on the on-disk spill; beyond it the oldest segment is deleted
 * @param segmentBytes size at which a spill segment is closed and a new one started
 * @param retryBase first wait after a failed write; doubled per consecutive failure, with jitter
 * @param retryMax the longest wait between attempts
 * @param closeTimeout how long {@code close()} keeps draining the spill into a reachable
 *     database; what is left stays on disk for the next start
 */
public record InfluxLimits(int queuePoints, int batchPoints, Duration flushInterval, long spillBytes,
    long segmentBytes, Duration retryBase, Duration retryMax, Duration closeTimeout) {

  public InfluxLimits {
    if (queuePoints < 2 || batchPoints < 1) {
      throw new IllegalArgumentException("need queuePoints >= 2 and batchPoints >= 1");
    }
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("flushInterval must be positive: " + flushInterval);
    }
    if (segmentBytes <= 0 || segmentBytes > spillBytes) {
      throw new IllegalArgumentException("need 0 < segmentBytes <= spillBytes");
    }
    if (retryBase.isNegative() || retryBase.isZero() || retryMax.compareTo(retryBase) < 0) {
      throw new IllegalArgumentException("need 0 < retryBase <= retryMax");
    }
    if (closeTimeout.isNegative()) {
      throw new IllegalArgumentException("closeTimeout must not be negative");
    }
  }

  /** 50,000 points in memory, batches of 5,000 or 1 s, 256 MiB spill in 8 MiB segments, retries 0.5 s to 30 s. */
  public static InfluxLimits defaults() {
    return new InfluxLimits(50_000, 5_000, Duration.ofSeconds(1), 256L << 20, 8L << 20,
        Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(10));
  }

  public InfluxLimits withSpill(long spillBytes, long segmentBytes) {
    return new InfluxLimits(queuePoints, batchPoints, flushInterval, spillBytes, segmentBytes, retryBase, retryMax,
        closeTimeout);
  }

  public InfluxLimits withRetry(Duration base, Duration max) {
    return new InfluxLimits(queuePoints, batchPoints, flushInterval, spillBytes, segmentBytes, base, max, closeTimeout);
  }

  public InfluxLimits withBatch(int queuePoints, int batchPoints, Duration flushInterval) {
    return new InfluxLimits(queuePoints, batchPoints, flushInterval, spillBytes, segmentBytes, retryBase, retryMax,
        closeTimeout);
  }
}
