package dev.tandem.controller.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.controller.Ballot;
import dev.tandem.controller.Decision;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's own append-only log, one JSON object a line: decisions
 * ({@code "type":"decision"}) and switch reports to observers ({@code "type":"report"}). Lines
 * are written and flushed by one thread, in order, so the caller never waits for the disk.
 *
 * <p>Bounded: at most {@link #CAPACITY} lines wait; beyond that a line is dropped and counted
 * ({@link #dropped()}), never blocking the controller. Opened for append: a restart continues the
 * same file. The file itself is not rotated: it grows by one line per change of a decision, per
 * switch and per report, not per poll.
 *
 * <p>Durability: every decision line is forced to disk ({@code FileChannel.force}) as soon as it
 * is written, since a lost {@code SWITCHED} line would lose the anti-flap period at the next
 * start; report lines are forced with the next decision or when the queue is empty. A crash of the
 * process loses at most the lines still queued (the writer is usually milliseconds behind). A
 * failed write (a full disk) is cut back out of the file, retried with backoff (0.5 s doubling to
 * 30 s) and never given up; meanwhile lines wait in the bounded queue.
 */
final class DecisionLog implements AutoCloseable {
  static final int CAPACITY = 10_000;
  private static final Logger log = LoggerFactory.getLogger(DecisionLog.class);
  /** One line, and whether it must reach the disk before the writer goes on (decisions). */
  private record Line(String text, boolean sync) {}

  private static final Line STOP = new Line("", false);

  private final ObjectMapper json = new ObjectMapper();
  private final BlockingQueue<Line> queue;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong synced = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final FileChannel out;
  private final Thread writer;

  DecisionLog(Path file) throws IOException {
    this(file, CAPACITY);
    start();
  }

  /** A log whose writer has not started yet: lines wait (at most {@code capacity}) until {@link #start()}. */
  DecisionLog(Path file, int capacity) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    queue = new ArrayBlockingQueue<>(capacity);
    out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    writer = new Thread(this::drain, "tandem-controller-log");
    writer.setDaemon(true);
  }

  void start() {
    writer.start();
  }

  /**
   * When each domain was last switched according to the log at {@code file} (its last
   * {@code SWITCHED} or {@code RECONCILED} decision): what a restarted controller starts its
   * anti-flap period from. Reads the file once, line by line (memory bounded by the number of
   * domains); a line that is not a JSON decision (a crash mid-write) is skipped and counted in
   * {@link Restored#skipped()}. No file: nothing.
   */
  static Restored lastSwitches(Path file) throws IOException {
    Map<String, Instant> last = new LinkedHashMap<>();
    long skipped = 0;
    if (!Files.isRegularFile(file)) {
      return new Restored(last, 0);
    }
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        try {
          JsonNode n = json.readTree(line);
          if (!"decision".equals(n.path("type").asText())) {
            continue;
          }
          String outcome = n.path("outcome").asText();
          if (outcome.equals("SWITCHED") || outcome.equals("RECONCILED")) {
            Instant at = Instant.parse(n.path("ts").asText());
            last.merge(n.path("domain").asText(), at, (a, b) -> b.isAfter(a) ? b : a);
          }
        } catch (IOException | RuntimeException e) {
          skipped++;
        }
      }
    }
    return new Restored(last, skipped);
  }

  /** The last switch of each domain found in a log, and how many lines could not be read. */
  record Restored(Map<String, Instant> lastSwitch, long skipped) {
    Restored {
      lastSwitch = Map.copyOf(lastSwitch);
    }
  }

  void decision(Decision d) {
    ObjectNode line = json.createObjectNode();
    line.put("ts", d.at().toString());
    line.put("type", "decision");
    line.put("domain", d.domain());
    line.put("outcome", d.outcome().name());
    line.put("reason", d.reason().name());
    line.put("active", d.active());
    if (d.target() != null) {
      line.put("target", d.target());
    }
    line.put("explanation", d.explanation());
    ArrayNode votes = line.putArray("votes");
    for (Ballot b : d.votes()) {
      ObjectNode v = votes.addObject();
      v.put("observer", b.observer());
      v.put("vote", b.vote().name());
      if (b.active() != null) {
        v.put("active", b.active());
      }
      if (b.target() != null) {
        v.put("target", b.target());
      }
      v.put("note", b.note());
    }
    offer(new Line(line.toString(), true));
  }

  void report(Instant at, String domain, String observer, String cloud, boolean ok, int attempts, String error) {
    ObjectNode line = json.createObjectNode();
    line.put("ts", at.toString());
    line.put("type", "report");
    line.put("domain", domain);
    line.put("observer", observer);
    line.put("cloud", cloud);
    line.put("ok", ok);
    line.put("attempts", attempts);
    if (error != null) {
      line.put("error", error);
    }
    offer(new Line(line.toString(), false));
  }

  private void offer(Line line) {
    if (!queue.offer(line)) {
      dropped.incrementAndGet();
    }
  }

  long written() {
    return written.get();
  }

  long dropped() {
    return dropped.get();
  }

  /** Times the file was forced to disk. */
  long synced() {
    return synced.get();
  }

  long writeFailures() {
    return writeFailures.get();
  }

  private void drain() {
    boolean dirty = false;
    try {
      while (true) {
        Line line = queue.take();
        if (line == STOP) {
          return;
        }
        int failures = 0;
        while (true) {
          long size = -1;
          try {
            size = out.size();
            ByteBuffer bytes = ByteBuffer.wrap((line.text() + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
              out.write(bytes);
            }
            written.incrementAndGet();
            dirty = true;
            if (line.sync() || queue.isEmpty()) {
              out.force(false);
              synced.incrementAndGet();
              dirty = false;
            }
            if (failures > 0) {
              log.warn("decision log: writing again after {} failed attempts", failures);
            }
            break;
          } catch (IOException e) {
            writeFailures.incrementAndGet();
            failures++;
            cutBack(size);
            long delayMs = Math.min(30_000, 500L << Math.min(6, failures - 1));
            if (failures == 1 || Integer.bitCount(failures) == 1) {
              log.error("decision log: cannot write ({} failed attempts); the line waits, {} more queued, retrying in"
                  + " {} ms", failures, queue.size(), delayMs, e);
            }
            if (closing.getCount() == 0) {
              dropped.incrementAndGet();
              log.error("decision log: closing with a line unwritten: {}", line.text());
              break;
            }
            closing.await(delayMs, TimeUnit.MILLISECONDS);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (dirty) {
        try {
          out.force(false);
          synced.incrementAndGet();
        } catch (IOException e) {
          log.warn("decision log: last sync failed", e);
        }
      }
    }
  }

  /** Undoes a failed append so that a half line does not glue itself to the next one. */
  private void cutBack(long size) {
    try {
      if (size >= 0 && out.size() > size) {
        out.truncate(size);
      }
    } catch (IOException e) {
      log.debug("decision log: cannot cut a failed write back", e);
    }
  }

  /** Writes what is queued, then closes the file. */
  @Override
  public void close() throws IOException {
    if (writer.getState() == Thread.State.NEW) {
      out.close(); // never started: nothing was written, and nothing would take the STOP
      return;
    }
    try {
      closing.countDown(); // a writer waiting for the disk tries once more, then lets go
      if (!queue.offer(STOP, 10, TimeUnit.SECONDS)) {
        log.error("decision log: closing with {} lines unwritten", queue.size());
      }
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.close();
  }
}
