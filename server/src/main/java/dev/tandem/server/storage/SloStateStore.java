package dev.tandem.server.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationCodec;
import dev.tandem.engine.observation.ObservationSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Keeps the SLO engine's state on local disk so that budgets and burn rates survive a restart,
 * even {@code kill -9}: a periodic snapshot plus a journal of every observation since it.
 *
 * <p>Consistency: each observation is applied to the engine and queued for the journal under one
 * lock, tagged with the journal segment it belongs to; a snapshot is taken under the same lock and
 * starts a new segment, so a snapshot and the segments after it never overlap (nothing is counted
 * twice on restore).
 *
 * <p>Durability (group commit): a writer thread appends queued lines to their segment and forces
 * them to disk ({@code FileChannel.force}) at most every {@link #SYNC_EVERY}; a crash of the
 * machine loses at most that much, a crash of the process only what was still queued. A snapshot
 * is written to a temporary file, forced, renamed over {@code snapshot.json} and the folder is
 * forced, and only then are the segments it covers deleted.
 *
 * <p>Disk faults never stop judging: callers (event loops) never wait for the disk or for room in
 * the queue. At the queue's bound a journal line is dropped and counted (the engine has still
 * counted the observation; the next snapshot covers it, only a crash before then loses it). A
 * failed write (a full disk) is retried with backoff, never given up, and {@link #problem()} says
 * why until it succeeds again.
 */
public final class SloStateStore implements ObservationSink, AutoCloseable, WriterHealth {
  private static final Logger log = LoggerFactory.getLogger(SloStateStore.class);
  /** Group commit: the journal is forced to disk at most this often, and at least this often while lines arrive. */
  public static final Duration SYNC_EVERY = Duration.ofMillis(200);
  static final int QUEUE = 100_000;
  static final int BATCH = 4096;
  static final Duration FIRST_RETRY = Duration.ofMillis(500);
  static final Duration MAX_RETRY = Duration.ofSeconds(30);

  /** One journal line and the segment it belongs to. */
  private record Line(long segment, String json) {}

  private final Path dir;
  private final SloEngine engine;
  private final FileOpener opener;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final ObservationCodec codec = new ObservationCodec(json);
  private final BlockingQueue<Line> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();
  private final AtomicLong snapshotFailures = new AtomicLong();
  private final LogThrottle dropLog = new LogThrottle(Duration.ofMinutes(1), System::nanoTime);
  private final Backoff backoff = new Backoff(FIRST_RETRY, MAX_RETRY, () -> ThreadLocalRandom.current().nextDouble());
  private final CountDownLatch closing = new CountDownLatch(1);
  /** One snapshot at a time (the periodic one and the one at stop share the temporary file). */
  private final Object snapshotLock = new Object();
  private final Thread writer;
  private volatile boolean running = true;
  private volatile String journalProblem;
  private volatile String snapshotProblem;
  /** The segment new lines go to; guarded by {@code this}. */
  private long segment;

  private SloStateStore(Path dir, SloEngine engine, long segment, FileOpener opener, Clock clock) {
    this.dir = dir;
    this.engine = engine;
    this.segment = segment;
    this.opener = opener;
    this.clock = clock;
    this.writer = new Thread(this::drain, "tandem-slo-journal");
    this.writer.setDaemon(true);
  }

  /**
   * Restores the engine from the folder (snapshot, then the journal after it) and starts
   * journaling. {@code replayInto} also receives the journal's observations (the verdict engine's
   * recent probe history).
   */
  public static SloStateStore open(Path dir, SloEngine engine, ObservationSink replayInto) throws IOException {
    return open(dir, engine, replayInto, FileOpener.system(), Clock.systemUTC());
  }

  /** As {@link #open(Path, SloEngine, ObservationSink)}, writing through {@code opener}. */
  public static SloStateStore open(Path dir, SloEngine engine, ObservationSink replayInto, FileOpener opener,
      Clock clock) throws IOException {
    Files.createDirectories(dir);
    ObjectMapper json = new ObjectMapper();
    ObservationCodec codec = new ObservationCodec(json);
    Path snapshot = dir.resolve("snapshot.json");
    long firstSegment = 0;
    if (Files.exists(snapshot)) {
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> s = json.readValue(snapshot.toFile(), Map.class);
        firstSegment = ((Number) s.get("journal")).longValue();
        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) s.get("state");
        int restored = engine.restore(state);
        log.info("SLO state: restored {} series from {}", restored, snapshot);
      } catch (IOException | RuntimeException e) {
        log.error("SLO state: cannot read {}; starting from the journal alone", snapshot, e);
      }
    }
    long replayed = 0;
    long bad = 0;
    long last = firstSegment;
    for (Path p : segments(dir)) {
      long n = number(p);
      if (n < firstSegment) {
        continue; // covered by the snapshot (a deletion the crash did not let finish)
      }
      last = Math.max(last, n);
      try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.isBlank()) {
            continue;
          }
          try {
            Observation o = codec.decode(line);
            engine.accept(o);
            replayInto.accept(o);
            replayed++;
          } catch (IllegalArgumentException e) {
            bad++; // A torn line after a crash or a failed write: expected, skipped.
          }
        }
      }
    }
    if (replayed > 0 || bad > 0) {
      log.info("SLO state: replayed {} journaled observations ({} unreadable lines skipped)", replayed, bad);
    }
    SloStateStore store = new SloStateStore(dir, engine, last + 1, opener, clock);
    store.writer.start();
    try {
      store.snapshot();
    } catch (IOException e) {
      // A full disk must not keep the observer from starting: the journal and the old snapshot
      // still hold the state, and the next periodic snapshot tries again.
      log.error("SLO state: snapshot at start failed; judging goes on, the next snapshot tries again", e);
    }
    return store;
  }

  private static List<Path> segments(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "journal-*.jsonl")) {
      ds.forEach(out::add);
    }
    out.sort((a, b) -> Long.compare(number(a), number(b)));
    return out;
  }

  private static long number(Path p) {
    String name = p.getFileName().toString();
    return Long.parseLong(name.substring("journal-".length(), name.length() - ".jsonl".length()));
  }

  private Path segmentPath(long n) {
    return dir.resolve(String.format("journal-%09d.jsonl", n));
  }

  /** Never blocks: at the queue's bound the journal line is dropped and counted. */
  @Override
  public void accept(Observation o) {
    String line = codec.encode(o);
    boolean queued;
    synchronized (this) {
      engine.accept(o);
      queued = queue.offer(new Line(segment, line));
    }
    if (!queued) {
      long n = dropped.incrementAndGet();
      if (dropLog.allow()) {
        log.error("SLO journal: write queue full ({} lines), dropping journal lines ({} so far{}); the engine still"
            + " counts them and the next snapshot keeps them, only a crash before it loses them", QUEUE, n,
            journalProblem == null ? "" : "; " + journalProblem);
      }
    }
  }

  @Override
  public String writer() {
    return "journal";
  }

  @Override
  public long dropped() {
    return dropped.get();
  }

  @Override
  public long writeFailures() {
    return writeFailures.get();
  }

  /** Snapshots that could not be written (each retried at the next period). */
  public long snapshotFailures() {
    return snapshotFailures.get();
  }

  @Override
  public Optional<String> problem() {
    String j = journalProblem;
    String s = snapshotProblem;
    if (j == null && s == null) {
      return Optional.empty();
    }
    return Optional.of(j == null ? s : s == null ? j : j + "; " + s);
  }

  /**
   * Writes a snapshot and starts a new journal segment; the segments it covers are deleted once
   * it is durable. The engine's lock is held only to copy the state, never across disk I/O.
   */
  public void snapshot() throws IOException {
    synchronized (snapshotLock) {
      writeSnapshot();
    }
  }

  private void writeSnapshot() throws IOException {
    Map<String, Object> state;
    long journal;
    synchronized (this) {
      state = engine.snapshot();
      segment++;
      journal = segment;
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("journal", journal);
    doc.put("state", state);
    byte[] bytes = json.writeValueAsBytes(doc);
    try {
      DurableFiles.replace(opener, dir.resolve("snapshot.json"), c -> DurableFiles.writeFully(c, ByteBuffer.wrap(bytes)));
    } catch (IOException e) {
      snapshotFailures.incrementAndGet();
      snapshotProblem = "SLO snapshot failed at " + clock.instant() + " (" + e.getMessage()
          + "); the journal since the last snapshot is kept";
      throw e;
    }
    if (snapshotProblem != null) {
      log.info("SLO state: snapshot written again");
      snapshotProblem = null;
    }
    for (Path p : segments(dir)) {
      if (number(p) < journal) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void drain() {
    List<Line> batch = new ArrayList<>(BATCH);
    FileChannel out = null;
    long current = -1;
    long lastSync = System.nanoTime();
    boolean dirty = false;
    boolean tornTail = false;
    int failures = 0;
    Instant failingSince = null;
    try {
      while (running || !queue.isEmpty() || !batch.isEmpty()) {
        if (batch.isEmpty()) {
          long waitNanos = dirty ? Math.max(0, SYNC_EVERY.toNanos() - (System.nanoTime() - lastSync))
              : SYNC_EVERY.toNanos();
          Line first = queue.poll(waitNanos, TimeUnit.NANOSECONDS);
          if (first != null) {
            batch.add(first);
            queue.drainTo(batch, BATCH - 1);
          }
        }
        try {
          // Lines go out one segment's run at a time; a run leaves the batch only once written,
          // so a retry never writes a line twice.
          while (!batch.isEmpty()) {
            long seg = batch.get(0).segment();
            int end = 1;
            while (end < batch.size() && batch.get(end).segment() == seg) {
              end++;
            }
            if (out == null || seg != current || !out.isOpen()) {
              if (out != null && seg != current) {
                out.force(false); // the old segment is complete: durable before the new one starts
                dirty = false;
              }
              if (out != null) {
                closeQuietly(out);
                out = null;
              }
              Path p = segmentPath(seg);
              boolean created = !Files.exists(p);
              out = opener.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
              current = seg;
              if (created) {
                DurableFiles.syncDirectory(dir);
              }
            }
            StringBuilder text = new StringBuilder(tornTail ? "\n" : "");
            for (int i = 0; i < end; i++) {
              text.append(batch.get(i).json()).append('\n');
            }
            long size = out.size();
            try {
              DurableFiles.writeFully(out, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
              tornTail = !DurableFiles.truncateQuietly(out, size);
              throw e;
            }
            tornTail = false;
            dirty = true;
            batch.subList(0, end).clear();
          }
          if (dirty && out != null && System.nanoTime() - lastSync >= SYNC_EVERY.toNanos()) {
            out.force(false);
            dirty = false;
            lastSync = System.nanoTime();
          }
          if (failures > 0) {
            log.warn("SLO journal: writing to {} again after {} failed attempts since {}", dir, failures, failingSince);
            failures = 0;
            failingSince = null;
            journalProblem = null;
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
          journalProblem = "SLO journal cannot write to " + dir + " since " + failingSince + " (" + e.getMessage()
              + "); retrying, " + batch.size() + " lines waiting, " + dropped.get() + " dropped";
          if (failures == 1 || Integer.bitCount(failures) == 1) {
            log.error("SLO journal: cannot write to {} ({} failed attempts since {}); judging goes on, retrying in {} ms;"
                + " a crash now loses the observations since the last snapshot", dir, failures, failingSince,
                delay / 1_000_000, e);
          }
          if (!running) {
            log.error("SLO journal: stopping with {} lines unwritten ({} more queued); the final snapshot holds them",
                batch.size(), queue.size());
            return;
          }
          closing.await(delay, TimeUnit.NANOSECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (out != null) {
        try {
          out.force(false);
        } catch (IOException e) {
          log.warn("SLO journal: last sync failed", e);
        }
        closeQuietly(out);
      }
    }
  }

  private static void closeQuietly(FileChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      log.debug("SLO journal: close failed", e);
    }
  }

  /** Takes a last snapshot and stops the writer. */
  @Override
  public void close() {
    try {
      snapshot();
    } catch (IOException e) {
      log.warn("SLO state: final snapshot failed; the journal holds the state since the last one", e);
    }
    running = false;
    closing.countDown();
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
