package dev.tandem.server.paging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.paging.EventsV2Json;
import dev.tandem.engine.paging.OpenIncident;
import dev.tandem.engine.paging.PageAction;
import dev.tandem.engine.paging.PageEvent;
import dev.tandem.engine.paging.PageSeverity;
import dev.tandem.engine.paging.Routing;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable paging outbox: an append-only JSON-lines file in {@code storage.dir}. An event counts
 * as accepted only once its line is written and forced to disk; a delivery (202) or a rejection
 * (4xx) is appended as a marker, so a restart, even after {@code kill -9}, sends exactly the events
 * that were accepted and not yet answered, in their order.
 *
 * <p>Routing keys never reach the file: an event is stored with its role ({@link Routing}); the
 * sender adds the key when it sends.
 *
 * <p>The file is compacted when it is opened and when it holds many settled events: what remains
 * is the pending events and one {@code open} line per incident still open (so that a restarted
 * policy does not trigger it again).
 *
 * <p>Bounded: at most {@code capacity} pending events. Low severities are refused first: new
 * {@code warning}/{@code info} triggers at 80% of the bound, {@code error} triggers at 95%,
 * {@code critical} triggers and resolves only at the bound itself. A refused trigger also drops
 * its later resolve (PagerDuty never heard of it). Refusals are counted and logged.
 *
 * <p>Disk writes run on the outbox's own thread, never on an event loop.
 */
public final class PagingOutbox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PagingOutbox.class);
  public static final int DEFAULT_CAPACITY = 10_000;
  static final int COMPACT_AFTER = 20_000;

  /** One accepted event. {@code body} is the Events v2 body with the role as routing key. */
  public record Entry(long seq, Routing routing, PageSeverity severity, String dedupKey, PageAction action,
      ObjectNode body) {}

  private final Path file;
  private final int capacity;
  private final ObjectMapper json = new ObjectMapper();
  private final EventsV2Json events = new EventsV2Json(json);
  private final ExecutorService writer;
  private final Map<Long, Entry> pending = new TreeMap<>();
  private final Map<String, OpenIncident> open = new TreeMap<>();
  private final java.util.Set<String> refusedKeys = new java.util.HashSet<>();
  private final AtomicLong refused = new AtomicLong();
  private FileChannel channel;
  private long nextSeq = 1;
  private long lines;

  private PagingOutbox(Path file, int capacity) {
    this.file = file;
    this.capacity = capacity;
    this.writer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tandem-paging-outbox");
      t.setDaemon(true);
      return t;
    });
  }

  /** Reads what a previous run left (pending events, open incidents), compacts, and opens for appending. */
  public static PagingOutbox open(Path file, int capacity) throws IOException {
    PagingOutbox o = new PagingOutbox(file, capacity);
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (Files.exists(file)) {
      o.read();
    }
    o.compact();
    return o;
  }

  private void read() throws IOException {
    long bad = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        try {
          JsonNode n = json.readTree(line);
          String op = n.path("op").asText();
          switch (op) {
            case "event": {
              long seq = n.get("seq").asLong();
              Entry e = new Entry(seq, Routing.valueOf(n.get("routing").asText()),
                  PageSeverity.fromWire(n.get("severity").asText()), n.get("dedupKey").asText(),
                  PageAction.valueOf(n.get("action").asText()), (ObjectNode) n.get("body"));
              pending.put(seq, e);
              track(e);
              nextSeq = Math.max(nextSeq, seq + 1);
              break;
            }
            case "ack":
            case "failed":
              pending.remove(n.get("seq").asLong());
              break;
            case "open": {
              OpenIncident i = new OpenIncident(n.get("dedupKey").asText(), Routing.valueOf(n.get("routing").asText()),
                  PageSeverity.fromWire(n.get("severity").asText()));
              open.put(i.dedupKey(), i);
              break;
            }
            default:
              bad++;
          }
        } catch (IOException | RuntimeException e) {
          bad++; // A torn last line after a crash: expected, skipped.
        }
      }
    }
    if (!pending.isEmpty() || bad > 0) {
      log.info("paging outbox: {} events still to deliver, {} open incidents ({} unreadable lines skipped)",
          pending.size(), open.size(), bad);
    }
  }

  private void track(Entry e) {
    if (e.action() == PageAction.TRIGGER) {
      open.put(e.dedupKey(), new OpenIncident(e.dedupKey(), e.routing(), e.severity()));
    } else {
      open.remove(e.dedupKey());
    }
  }

  /** Rewrites the file with only what still matters; runs at open and on the writer thread. */
  private void compact() throws IOException {
    if (channel != null) {
      channel.close();
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    List<String> out = new ArrayList<>();
    synchronized (this) {
      open.values().forEach(i -> out.add(openLine(i)));
      pending.values().forEach(e -> out.add(eventLine(e)));
    }
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (String l : out) {
        c.write(ByteBuffer.wrap((l + "\n").getBytes(StandardCharsets.UTF_8)));
      }
      c.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
    lines = out.size();
    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** Pending events, oldest first (what a restart must deliver). */
  public synchronized List<Entry> pending() {
    return List.copyOf(pending.values());
  }

  public synchronized int pendingCount() {
    return pending.size();
  }

  /** Incidents triggered and not resolved, as of the accepted events. */
  public synchronized List<OpenIncident> openIncidents() {
    return List.copyOf(open.values());
  }

  public long refused() {
    return refused.get();
  }

  /**
   * Accepts an event: completes with its entry once it is on disk, or with empty if the bound
   * refused it. Never blocks the caller.
   */
  public CompletableFuture<java.util.Optional<Entry>> accept(PageEvent event) {
    Entry entry;
    synchronized (this) {
      if (refuse(event)) {
        refused.incrementAndGet();
        if (event.action() == PageAction.TRIGGER) {
          refusedKeys.add(event.dedupKey());
        }
        log.warn("paging outbox full ({} pending of {}): refused {} {} ({})", pending.size(), capacity,
            event.action().wire(), event.dedupKey(), event.severity().wire());
        return CompletableFuture.completedFuture(java.util.Optional.empty());
      }
      refusedKeys.remove(event.dedupKey());
      entry = new Entry(nextSeq++, event.routing(), event.severity(), event.dedupKey(), event.action(),
          events.encode(event, event.routing().name()));
      pending.put(entry.seq(), entry);
      track(entry);
    }
    return CompletableFuture.supplyAsync(() -> {
      write(eventLine(entry));
      return java.util.Optional.of(entry);
    }, writer);
  }

  private boolean refuse(PageEvent e) {
    int n = pending.size();
    if (e.action() == PageAction.RESOLVE) {
      return refusedKeys.contains(e.dedupKey()) || n >= capacity;
    }
    switch (e.severity()) {
      case CRITICAL:
        return n >= capacity;
      case ERROR:
        return n >= capacity * 95L / 100;
      default:
        return n >= capacity * 80L / 100;
    }
  }

  /** PagerDuty took the event (2xx): it is never sent again. */
  public CompletableFuture<Void> delivered(long seq) {
    return settle(seq, "{\"op\":\"ack\",\"seq\":" + seq + "}");
  }

  /** PagerDuty refused the event for good (4xx other than 429): it is never sent again. */
  public CompletableFuture<Void> rejected(long seq, int status) {
    return settle(seq, "{\"op\":\"failed\",\"seq\":" + seq + ",\"status\":" + status + "}");
  }

  private CompletableFuture<Void> settle(long seq, String line) {
    synchronized (this) {
      pending.remove(seq);
    }
    return CompletableFuture.runAsync(() -> {
      write(line);
      if (lines > COMPACT_AFTER) {
        try {
          compact();
        } catch (IOException e) {
          log.error("paging outbox: compaction of {} failed", file, e);
        }
      }
    }, writer);
  }

  private void write(String line) {
    try {
      channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      channel.force(false);
      lines++;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("paging outbox: cannot append to " + file, e);
    }
  }

  private String eventLine(Entry e) {
    ObjectNode n = json.createObjectNode();
    n.put("op", "event");
    n.put("seq", e.seq());
    n.put("routing", e.routing().name());
    n.put("severity", e.severity().wire());
    n.put("dedupKey", e.dedupKey());
    n.put("action", e.action().name());
    n.set("body", e.body());
    return n.toString();
  }

  private String openLine(OpenIncident i) {
    ObjectNode n = json.createObjectNode();
    n.put("op", "open");
    n.put("dedupKey", i.dedupKey());
    n.put("routing", i.routing().name());
    n.put("severity", i.severity().wire());
    return n.toString();
  }

  /** Finishes the queued writes and closes the file. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      log.warn("paging outbox: close of {} failed", file, e);
    }
  }
}
