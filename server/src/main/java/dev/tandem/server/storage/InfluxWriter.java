package dev.tandem.server.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's own batching writer: a bounded queue of line-protocol points, drained by one thread
 * that writes batches and, while the database cannot take them, spills them to disk.
 *
 * <p>The thread's loop, in order of priority:
 *
 * <ol>
 *   <li>what is queued is moved into the pending batch (at most a batch's worth), every time round,
 *       so that intake never waits behind the spill: the queue only has to hold what arrives
 *       during one write (or one spill append), however long the spill being sent;
 *   <li>a batch is shipped when it is full, its oldest point has waited {@code flushInterval}, or
 *       the sink is closing. It is written directly only while the spill is empty, the last attempt
 *       succeeded and the queue is less than half full; otherwise it is appended to the spill, so
 *       that points reach the database in the order they were accepted. (A queue still half full
 *       after a batch was taken from it means the database is slower than the intake: the disk
 *       then absorbs the difference rather than the queue overflowing.);
 *   <li>when the spill holds data and the next attempt is due, its oldest batch is written; success
 *       commits it (and the next one follows once the queue is moved again), failure waits
 *       (exponential backoff, jitter);
 *   <li>otherwise it waits for the next point or timer.
 * </ol>
 *
 * <p>Time comes from an injected monotonic ticker (nanoseconds, like {@link System#nanoTime()}),
 * so that tests move it by hand; the waits themselves are real and never longer than
 * {@code flushInterval}, so a moved ticker is seen within that.
 *
 * <p>A batch the database rejects (HTTP 400/413: a malformed point, a field type conflict) is
 * split in halves until the bad points are isolated; those are dropped, counted, and their cause
 * logged once; the good ones are written. A rejection never blocks the queue.
 */
final class InfluxWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InfluxWriter.class);
  private static final int LOGGED_CAUSES = 100;

  private final LineSender sender;
  private final InfluxLimits limits;
  private final InfluxMetrics metrics;
  private final BlockingQueue<String> queue;
  private final Backoff backoff;
  private final SpillBuffer spill;
  private final Thread thread;
  private final Set<String> loggedCauses = new HashSet<>();
  private final long flushNanos;
  private final int highWater;
  private final LongSupplier ticker;

  private volatile boolean closing;
  private volatile long closeDeadline;
  private boolean healthy = true;
  private int failures;
  private long nextAttempt;
  private boolean spillFullLogged;
  private long spillErrors;
  private String lastRetryCause;

  /**
   * @param random values in [0, 1) for the backoff's jitter
   * @param ticker monotonic nanoseconds ({@code System::nanoTime} in production)
   */
  InfluxWriter(LineSender sender, Path spillDir, InfluxLimits limits, InfluxMetrics metrics, DoubleSupplier random,
      LongSupplier ticker) throws IOException {
    this.sender = sender;
    this.ticker = ticker;
    this.limits = limits;
    this.metrics = metrics;
    this.queue = new ArrayBlockingQueue<>(limits.queuePoints());
    this.backoff = new Backoff(limits.retryBase(), limits.retryMax(), random);
    this.flushNanos = limits.flushInterval().toNanos();
    this.highWater = limits.queuePoints() / 2;
    this.spill = SpillBuffer.open(spillDir, limits.spillBytes(), limits.segmentBytes(), new SpillBuffer.Listener() {
      @Override
      public void droppedAtBound(long points) {
        metrics.dropped(InfluxMetrics.SPILL_FULL).increment(points);
        if (!spillFullLogged) {
          spillFullLogged = true;
          log.warn("InfluxDB at {}: the spill reached its bound of {} bytes; dropping its oldest data"
              + " (counted in tandem_influx_points_dropped_total{reason=\"spill_full\"}) until it drains",
              sender.endpoint(), limits.spillBytes());
        }
      }

      @Override
      public void corruptTail(Path segment, long offset, long bytes) {
        metrics.spillCorruptBytes.increment(bytes);
        log.warn("InfluxDB spill: {} was torn or corrupt from byte {} ({} bytes cut off; the records before it are kept)",
            segment, offset, bytes);
      }
    });
    metrics.gauges(spill::bytes, queue::size);
    if (!spill.isEmpty()) {
      log.info("InfluxDB spill: {} points in {} segments from an earlier run; they go to {} before new points",
          spill.points(), spill.segmentCount(), sender.endpoint());
    }
    this.nextAttempt = ticker.getAsLong();
    this.thread = new Thread(this::loop, "tandem-influx-writer");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Never blocks: false when the queue is full or the writer closed (the caller counts the drop). */
  boolean offer(String line) {
    return !closing && queue.offer(line);
  }

  boolean closed() {
    return closing;
  }

  long spillBytes() {
    return spill.bytes();
  }

  long spillPoints() {
    return spill.points();
  }

  int queued() {
    return queue.size();
  }

  /** The writer thread, for CPU accounting in benchmarks. */
  Thread thread() {
    return thread;
  }

  private void loop() {
    long crashes = 0;
    while (true) {
      try {
        run();
        return;
      } catch (RuntimeException e) {
        // A bug must not stop delivery for good: the queue and the spill are still there.
        if (crashes++ % 100 == 0) {
          log.error("InfluxDB writer failed unexpectedly ({} times); continuing", crashes, e);
        }
      }
    }
  }

  private void run() {
    List<String> pending = new ArrayList<>();
    long pendingSince = 0;
    while (true) {
      long now = ticker.getAsLong();
      // First take in what is queued, whatever else is due: sending a long spill must not leave
      // the queue to fill up (and accept() to drop points) while the database is healthy.
      if (pending.size() < limits.batchPoints() && !queue.isEmpty()) {
        if (pending.isEmpty()) {
          pendingSince = now;
        }
        queue.drainTo(pending, limits.batchPoints() - pending.size());
      }
      if (!pending.isEmpty() && (pending.size() >= limits.batchPoints() || now - pendingSince >= flushNanos
          || closing)) {
        ship(pending);
        pending = new ArrayList<>();
        continue;
      }
      boolean giveUp = closing && (!healthy || now - closeDeadline >= 0);
      if (!spill.isEmpty() && now - nextAttempt >= 0 && !giveUp) {
        drainHead();
        continue;
      }
      if (closing && pending.isEmpty() && queue.isEmpty() && (spill.isEmpty() || giveUp)) {
        return;
      }
      long wait = flushNanos;
      if (!pending.isEmpty()) {
        wait = Math.min(wait, pendingSince + flushNanos - now);
      }
      if (!spill.isEmpty() && !giveUp) {
        wait = Math.min(wait, nextAttempt - now);
      }
      if (closing) {
        wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(10));
      }
      String line;
      try {
        line = queue.poll(Math.max(wait, 0), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        closing = true;
        continue;
      }
      if (line != null) {
        if (pending.isEmpty()) {
          pendingSince = ticker.getAsLong();
        }
        pending.add(line);
      }
    }
  }

  private void ship(List<String> batch) {
    // Straight to the database while nothing older waits on disk (and, after a failure whose batch
    // could not be spilled either, once the next attempt is due). A queue still half full after this
    // batch was taken from it means the database is slower than the intake: a blocking write now
    // would let the queue overflow, while the spill takes the batch in a few milliseconds and the
    // loop goes on moving the queue to disk between writes of the spill's head.
    if (spill.isEmpty() && queue.size() < highWater && (healthy || ticker.getAsLong() - nextAttempt >= 0)) {
      LineSender.Result r = writeIsolatingRejects(batch);
      if (r.kind() != LineSender.Kind.RETRY) {
        healthy = true;
        failures = 0;
        return;
      }
      failed(r.cause());
    }
    toSpill(batch);
  }

  private void toSpill(List<String> batch) {
    try {
      if (spill.append(batch)) {
        metrics.spilled.increment(batch.size());
      }
    } catch (IOException e) {
      metrics.dropped(InfluxMetrics.SPILL_ERROR).increment(batch.size());
      if (spillErrors++ % 100 == 0) {
        log.error("InfluxDB spill: cannot write to disk; {} points dropped ({} spill errors so far)",
            batch.size(), spillErrors, e);
      }
    }
  }

  private void drainHead() {
    SpillBuffer.Batch batch;
    try {
      batch = spill.peek();
    } catch (IOException e) {
      try {
        long lost = spill.discardHead();
        metrics.dropped(InfluxMetrics.SPILL_ERROR).increment(lost);
        log.error("InfluxDB spill: cannot read back its oldest segment; {} points dropped", lost, e);
      } catch (IOException e2) {
        log.error("InfluxDB spill: cannot remove an unreadable segment", e2);
        failed("spill unreadable");
      }
      return;
    }
    if (batch == null) {
      return;
    }
    metrics.retried.increment(batch.lines().size());
    LineSender.Result r = writeIsolatingRejects(batch.lines());
    if (r.kind() == LineSender.Kind.RETRY) {
      failed(r.cause());
      return;
    }
    try {
      spill.commit();
    } catch (IOException e) {
      log.error("InfluxDB spill: cannot delete a delivered segment (it will be sent again)", e);
    }
    if (!healthy) {
      log.info("InfluxDB at {} answers again after {} failed attempts; sending the spill ({} points) before new points",
          sender.endpoint(), failures, spill.points());
    }
    healthy = true;
    failures = 0;
    lastRetryCause = null;
    if (spill.isEmpty()) {
      spillFullLogged = false;
    }
  }

  /** Writes; a rejected batch is halved until the bad points are alone, and those are dropped. */
  private LineSender.Result writeIsolatingRejects(List<String> lines) {
    LineSender.Result r = sender.write(lines);
    if (r.kind() == LineSender.Kind.OK) {
      metrics.written.increment(lines.size());
      return r;
    }
    if (r.kind() == LineSender.Kind.RETRY) {
      return r;
    }
    if (lines.size() == 1) {
      metrics.dropped(InfluxMetrics.REJECTED).increment();
      String cause = r.cause().length() > 300 ? r.cause().substring(0, 300) + "..." : r.cause();
      if (loggedCauses.size() < LOGGED_CAUSES && loggedCauses.add(causeKey(cause))) {
        log.warn("InfluxDB at {} rejected a point, dropped (counted in tandem_influx_points_dropped_total"
            + "{reason=\"rejected\"}; further points with this cause are dropped silently): {}", sender.endpoint(), cause);
      }
      return r;
    }
    int half = lines.size() / 2;
    LineSender.Result left = writeIsolatingRejects(lines.subList(0, half));
    if (left.kind() == LineSender.Kind.RETRY) {
      return left;
    }
    LineSender.Result right = writeIsolatingRejects(lines.subList(half, lines.size()));
    return right.kind() == LineSender.Kind.RETRY ? right : LineSender.Result.OK;
  }

  /** The cause without the point it quotes, so one kind of problem logs once. */
  private static String causeKey(String cause) {
    int colon = cause.indexOf("unable to parse");
    if (colon >= 0) {
      return "unable to parse";
    }
    return cause.length() > 60 ? cause.substring(0, 60) : cause;
  }

  private void failed(String cause) {
    failures++;
    long delay = backoff.delayNanos(failures);
    nextAttempt = ticker.getAsLong() + delay;
    if (healthy || !cause.equals(lastRetryCause)) {
      log.warn("InfluxDB at {}: write failed ({}); spilling to disk, next attempt in {} ms", sender.endpoint(), cause,
          TimeUnit.NANOSECONDS.toMillis(delay));
    }
    lastRetryCause = cause;
    healthy = false;
  }

  /**
   * Stops taking points and ships what is in memory: into the database if it answers, else into
   * the spill. While the database answers, keeps draining the spill for up to {@code closeTimeout};
   * the rest stays on disk for the next start.
   */
  @Override
  public void close() {
    closeDeadline = ticker.getAsLong() + limits.closeTimeout().toNanos();
    closing = true;
    try {
      // Leaves time for one slow request beyond the drain budget.
      thread.join(limits.closeTimeout().plusSeconds(35).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("InfluxDB writer did not finish in time; {} points in memory are lost, the spill is kept", queue.size());
      return;
    }
    try {
      spill.close();
    } catch (IOException e) {
      log.warn("InfluxDB spill: close failed", e);
    }
    sender.close();
  }
}
