package dev.tandem.server.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends JSON lines to a file from a thread of its own (the audit log and the recording), so
 * that callers on event loops never wait for the disk. The policy, which the docs repeat:
 *
 * <ul>
 *   <li>Order: lines reach the file in the order {@link #append} was called.
 *   <li>Durability (group commit): lines are written as they come and forced to disk
 *       ({@code FileChannel.force}) at most every {@code syncEvery} (1 s by default) and when the
 *       writer stops; a crash of the process loses only what was still queued, a crash of the
 *       machine at most the last {@code syncEvery}.
 *   <li>Disk faults: a failed write (a full disk) is undone (the file is cut back, so no half
 *       line remains), retried with backoff (0.5 s doubling to 30 s) and never given up; the
 *       writer never dies. {@link #problem()} says why meanwhile.
 *   <li>Bound: at most {@code capacity} lines wait. At the bound a new line is dropped and
 *       counted ({@link #dropped()}), with a throttled error log; the caller never blocks.
 *   <li>Rotation: the file is held open for append, so rotate it with {@code copytruncate}.
 * </ul>
 */
public final class JsonLinesWriter implements AutoCloseable, WriterHealth {
  private static final Logger log = LoggerFactory.getLogger(JsonLinesWriter.class);
  public static final int DEFAULT_CAPACITY = 50_000;
  public static final Duration DEFAULT_SYNC_EVERY = Duration.ofSeconds(1);
  static final int BATCH = 1024;
  private static final Duration MAX_WAIT = Duration.ofMillis(200);
  static final Duration FIRST_RETRY = Duration.ofMillis(500);
  static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final Path file;
  private final String writer;
  private final Duration syncEvery;
  private final FileOpener opener;
  private final Clock clock;
  private final BlockingQueue<String> queue;
  private final Thread thread;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();
  private final LogThrottle dropLog = new LogThrottle(Duration.ofMinutes(1), System::nanoTime);
  private final Backoff backoff = new Backoff(FIRST_RETRY, MAX_RETRY, () -> ThreadLocalRandom.current().nextDouble());
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile String problem;

  /**
   * @param writer a short name for logs, metric tags and the thread: {@code audit}, {@code recording}
   */
  public JsonLinesWriter(Path file, int capacity, String writer) throws IOException {
    this(file, capacity, writer, DEFAULT_SYNC_EVERY, FileOpener.system(), Clock.systemUTC());
  }

  public JsonLinesWriter(Path file, int capacity, String writer, Duration syncEvery, FileOpener opener, Clock clock)
      throws IOException {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    if (syncEvery.isNegative() || syncEvery.isZero()) {
      throw new IllegalArgumentException("syncEvery must be positive, got " + syncEvery);
    }
    this.file = file;
    this.writer = writer;
    this.syncEvery = syncEvery;
    this.opener = opener;
    this.clock = clock;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
    // Open once now so that a bad path fails at start-up, not later.
    boolean created = !Files.exists(file);
    opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND).close();
    if (created && parent != null) {
      DurableFiles.syncDirectory(parent);
    }
    this.thread = new Thread(this::drain, "tandem-" + writer);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues one line (without its newline); never blocks. */
  public void append(String line) {
    if (!queue.offer(line)) {
      long n = dropped.incrementAndGet();
      if (dropLog.allow()) {
        String why = problem;
        log.error("{}: write queue full, dropping lines ({} dropped so far){}", file, n, why == null ? "" : ": " + why);
      }
    }
  }

  public long written() {
    return written.get();
  }

  @Override
  public String writer() {
    return writer;
  }

  @Override
  public long dropped() {
    return dropped.get();
  }

  @Override
  public long writeFailures() {
    return writeFailures.get();
  }

  @Override
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  private void drain() {
    List<String> batch = new ArrayList<>(BATCH);
    FileChannel out = null;
    long lastSync = System.nanoTime();
    boolean dirty = false;
    boolean tornTail = false;
    int failures = 0;
    Instant failingSince = null;
    try {
      while (running || !queue.isEmpty() || !batch.isEmpty()) {
        if (batch.isEmpty()) {
          // Short waits: a stop is noticed within 200 ms even when the sync interval is longer.
          long wait = Math.min(MAX_WAIT.toNanos(), dirty
              ? Math.max(0, syncEvery.toNanos() - (System.nanoTime() - lastSync)) : syncEvery.toNanos());
          String first = queue.poll(wait, TimeUnit.NANOSECONDS);
          if (first != null) {
            batch.add(first);
            queue.drainTo(batch, BATCH - 1);
          }
        }
        try {
          if (!batch.isEmpty()) {
            out = open(out);
            StringBuilder text = new StringBuilder(tornTail ? "\n" : "");
            batch.forEach(l -> text.append(l).append('\n'));
            long size = out.size();
            try {
              DurableFiles.writeFully(out, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
              tornTail = !DurableFiles.truncateQuietly(out, size);
              throw e;
            }
            tornTail = false;
            written.addAndGet(batch.size());
            batch.clear();
            dirty = true;
          }
          if (dirty && (System.nanoTime() - lastSync >= syncEvery.toNanos() || !running)) {
            out = open(out);
            out.force(false);
            dirty = false;
            lastSync = System.nanoTime();
          }
          if (failures > 0) {
            log.warn("{}: writing again after {} failed attempts since {}", file, failures, failingSince);
            failures = 0;
            failingSince = null;
            problem = null;
          }
        } catch (IOException | RuntimeException e) {
          writeFailures.incrementAndGet();
          failures++;
          if (failingSince == null) {
            failingSince = clock.instant();
          }
          if (out != null && !out.isOpen()) {
            out = null; // closed under us (an interrupt): reopened on the next try
          }
          long delay = backoff.delayNanos(failures);
          problem = writer + " log cannot write to " + file + " since " + failingSince + " (" + e.getMessage()
              + "); retrying, " + (batch.size() + queue.size()) + " lines waiting, " + dropped.get() + " dropped";
          if (failures == 1 || Integer.bitCount(failures) == 1) {
            log.error("{}: cannot write ({} failed attempts since {}); {} lines kept in memory, retrying in {} ms",
                file, failures, failingSince, batch.size() + queue.size(), delay / 1_000_000, e);
          }
          if (!running) {
            dropped.addAndGet(batch.size() + queue.size());
            log.error("{}: stopping with {} lines unwritten", file, batch.size() + queue.size());
            return;
          }
          closing.await(delay, TimeUnit.NANOSECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (out != null) {
        if (dirty) {
          try {
            out.force(false);
          } catch (IOException e) {
            log.warn("{}: last sync failed", file, e);
          }
        }
        closeQuietly(out);
      }
    }
  }

  /** The channel to append with: {@code current} while it is open, else a new one. */
  private FileChannel open(FileChannel current) throws IOException {
    if (current != null && current.isOpen()) {
      return current;
    }
    return opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  private static void closeQuietly(FileChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      log.debug("close failed", e);
    }
  }

  /** Writes and syncs what is queued (one last try if the disk is failing), then stops. */
  @Override
  public void close() {
    running = false;
    closing.countDown();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
