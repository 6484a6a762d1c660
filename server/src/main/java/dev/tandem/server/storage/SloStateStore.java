package dev.tandem.server.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationCodec;
import dev.tandem.engine.observation.ObservationSink;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the SLO engine's state on local disk so that budgets and burn rates survive a restart,
 * even {@code kill -9}: a periodic snapshot plus a journal of every observation since it.
 *
 * <p>Consistency: observations are applied to the engine and queued for the journal under one
 * lock, and a snapshot is taken under the same lock together with a "start a new journal segment"
 * marker, so a snapshot and the journal segments after it never overlap (nothing is counted twice
 * on restore). A writer thread appends the queue to the current segment and syncs it every
 * {@link #FLUSH_MILLIS}; what a crash loses is at most that much. Old segments are deleted once a
 * newer snapshot is on disk. The queue is bounded: at the bound, journal lines are dropped and
 * counted (the engine still counts them; only a crash would lose them).
 */
public final class SloStateStore implements ObservationSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SloStateStore.class);
  static final long FLUSH_MILLIS = 200;
  static final int QUEUE = 100_000;
  private static final String ROTATE = "\u0000rotate";

  private final Path dir;
  private final SloEngine engine;
  private final ObjectMapper json = new ObjectMapper();
  private final ObservationCodec codec = new ObservationCodec(json);
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean running = true;
  private long segment;

  private SloStateStore(Path dir, SloEngine engine, long segment) {
    this.dir = dir;
    this.engine = engine;
    this.segment = segment;
    this.writer = new Thread(this::drain, "tandem-slo-journal");
    this.writer.setDaemon(true);
  }

  /**
   * Restores the engine from the folder (snapshot, then the journal after it) and starts
   * journaling. {@code replayInto} also receives the journal's observations (the verdict engine's
   * recent probe history).
   */
  public static SloStateStore open(Path dir, SloEngine engine, ObservationSink replayInto) throws IOException {
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
        continue;
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
            bad++; // A torn last line after a crash: expected, skipped.
          }
        }
      }
    }
    if (replayed > 0 || bad > 0) {
      log.info("SLO state: replayed {} journaled observations ({} unreadable lines skipped)", replayed, bad);
    }
    SloStateStore store = new SloStateStore(dir, engine, last + 1);
    store.writer.start();
    store.snapshot();
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

  @Override
  public synchronized void accept(Observation o) {
    engine.accept(o);
    if (!queue.offer(codec.encode(o))) {
      dropped.incrementAndGet();
    }
  }

  public long dropped() {
    return dropped.get();
  }

  /** Writes a snapshot and starts a new journal segment; older segments are then deleted. */
  public void snapshot() throws IOException {
    Map<String, Object> state;
    long journal;
    synchronized (this) {
      state = engine.snapshot();
      journal = segment;
      segment++;
      // The writer switches to `journal` when it meets the marker: lines queued before the
      // snapshot go to the old segment, lines after it to the new one.
      try {
        queue.put(ROTATE + journal);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while rotating the journal", e);
      }
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("journal", journal);
    doc.put("state", state);
    Path tmp = dir.resolve("snapshot.json.tmp");
    json.writeValue(tmp.toFile(), doc);
    try {
      Files.move(tmp, dir.resolve("snapshot.json"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir.resolve("snapshot.json"), StandardCopyOption.REPLACE_EXISTING);
    }
    for (Path p : segments(dir)) {
      if (number(p) < journal) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void drain() {
    long current = segment - 1;
    BufferedWriter out = null;
    List<String> batch = new ArrayList<>(4096);
    try {
      while (running || !queue.isEmpty()) {
        String first = queue.poll(FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, 4095);
        }
        for (String line : batch) {
          if (line.startsWith(ROTATE)) {
            if (out != null) {
              out.close();
            }
            current = Long.parseLong(line.substring(ROTATE.length()));
            out = Files.newBufferedWriter(segmentPath(current), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            continue;
          }
          if (out == null) {
            out = Files.newBufferedWriter(segmentPath(current), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          }
          out.write(line);
          out.write('\n');
        }
        batch.clear();
        if (out != null) {
          out.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.error("SLO journal: cannot write to {}; state after this point lives in memory only", dir, e);
    } finally {
      if (out != null) {
        try {
          out.close();
        } catch (IOException e) {
          log.warn("SLO journal: close failed", e);
        }
      }
    }
  }

  /** Takes a last snapshot and stops the writer. */
  @Override
  public void close() {
    try {
      snapshot();
    } catch (IOException e) {
      log.warn("SLO state: final snapshot failed", e);
    }
    running = false;
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
