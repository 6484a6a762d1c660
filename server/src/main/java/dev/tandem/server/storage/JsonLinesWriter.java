package dev.tandem.server.storage;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends JSON lines to a file from a thread of its own, so that callers on event loops never
 * wait for the disk. The queue is bounded: at the bound, lines are dropped and counted (the
 * service keeps running; {@link #dropped()} says how much the file misses).
 */
public final class JsonLinesWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JsonLinesWriter.class);
  public static final int DEFAULT_CAPACITY = 50_000;

  private final Path file;
  private final BlockingQueue<String> queue;
  private final Thread thread;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean running = true;

  public JsonLinesWriter(Path file, int capacity, String name) throws IOException {
    this.file = file;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    this.queue = new ArrayBlockingQueue<>(capacity);
    // Open once now so that a bad path fails at start-up, not later.
    Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND).close();
    this.thread = new Thread(this::drain, name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Queues one line (without its newline); never blocks. */
  public void append(String line) {
    if (!queue.offer(line)) {
      if (dropped.getAndIncrement() % 10_000 == 0) {
        log.warn("{}: write queue full, dropping lines ({} dropped so far)", file, dropped.get());
      }
    }
  }

  public long written() {
    return written.get();
  }

  public long dropped() {
    return dropped.get();
  }

  private void drain() {
    List<String> batch = new ArrayList<>(1024);
    long failures = 0;
    while (running || !queue.isEmpty()) {
      try {
        String first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 1023);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
          for (String line : batch) {
            w.write(line);
            w.write('\n');
          }
        }
        written.addAndGet(batch.size());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException e) {
        dropped.addAndGet(batch.size());
        if (failures++ % 100 == 0) {
          log.error("{}: cannot append ({} lines lost)", file, batch.size(), e);
        }
      }
      batch.clear();
    }
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
