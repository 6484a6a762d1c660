package dev.tandem.controller.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.controller.Ballot;
import dev.tandem.controller.Decision;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
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
 * <p>Durability: lines are flushed to the operating system whenever the queue is empty, never
 * fsynced. A crash of the process loses at most the lines still queued; a crash of the machine may
 * also lose what the OS had not yet written. The log is a record for people and for the anti-flap
 * period across restarts, not a transaction log.
 */
final class DecisionLog implements AutoCloseable {
  static final int CAPACITY = 10_000;
  private static final Logger log = LoggerFactory.getLogger(DecisionLog.class);
  private static final String STOP = "";

  private final ObjectMapper json = new ObjectMapper();
  private final BlockingQueue<String> queue;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final BufferedWriter out;
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
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
    offer(line.toString());
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
    offer(line.toString());
  }

  private void offer(String line) {
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

  private void drain() {
    try {
      while (true) {
        String line = queue.take();
        if (line == STOP) {
          return;
        }
        try {
          out.write(line);
          out.write('\n');
          if (queue.isEmpty()) {
            out.flush();
          }
          written.incrementAndGet();
        } catch (IOException e) {
          dropped.incrementAndGet();
          log.warn("decision log: cannot write a line", e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
      queue.put(STOP);
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.close();
  }
}
