package dev.tandem.controller.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.controller.Ballot;
import dev.tandem.controller.Decision;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
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
 * same file.
 */
final class DecisionLog implements AutoCloseable {
  static final int CAPACITY = 10_000;
  private static final Logger log = LoggerFactory.getLogger(DecisionLog.class);
  private static final String STOP = "";

  private final ObjectMapper json = new ObjectMapper();
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final BufferedWriter out;
  private final Thread writer;

  DecisionLog(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    writer = new Thread(this::drain, "tandem-controller-log");
    writer.setDaemon(true);
    writer.start();
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
    try {
      queue.put(STOP);
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.close();
  }
}
