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
import dev.tandem.server.storage.Backoff;
import dev.tandem.server.storage.DurableFiles;
import dev.tandem.server.storage.FileOpener;
import dev.tandem.server.storage.WriterHealth;
import java.io.BufferedReader;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable paging outbox: an append-only JSON-lines file in {@code storage.dir}. An event is
 * written and forced to disk ({@code FileChannel.force}) before it counts as written; a delivery
 * (2xx) or a rejection (400) is appended as a marker, so a restart, even after {@code kill -9},
 * sends exactly the events that were written and not yet answered, in their order. Every write is
 * checked for completeness; a failed one is cut back out of the file, so a half line never glues
 * itself to the next.
 *
 * <p>When the disk fails (full): a new event is still accepted, {@link Admission#HELD} in memory
 * (and sent: a page matters more than its durability), with a loud error; the outbox retries the
 * write with backoff (1 s doubling to 30 s) and makes the held events durable once space
 * returns. Until then a restart would lose them. {@link #problem()} says so for {@code /readyz}.
 *
 * <p>Routing keys never reach the file: an event is stored with its role ({@link Routing}); the
 * sender adds the key when it sends.
 *
 * <p>The file is compacted when it is opened, when it holds many settled events, and after the
 * disk came back from a failure: what remains is the pending events and one {@code open} line per
 * incident still open (so that a restarted policy does not trigger it again). The compacted file
 * is forced, renamed over the old one, and the folder is forced.
 *
 * <p>Bounded: at most {@code capacity} events accepted and not yet answered, held ones included.
 * Low severities are refused first: new {@code warning}/{@code info} triggers at 80% of the bound,
 * {@code error} triggers at 95%, {@code critical} triggers and resolves only at the bound itself.
 * A refused trigger also drops its later resolve (PagerDuty never heard of it). Refusals are
 * counted and logged.
 *
 * <p>Disk writes run on the outbox's own thread, never on an event loop.
 */
public final class PagingOutbox implements AutoCloseable, WriterHealth {
  private static final Logger log = LoggerFactory.getLogger(PagingOutbox.class);
  public static final int DEFAULT_CAPACITY = 10_000;
  static final int COMPACT_AFTER = 20_000;
  static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  static final Duration MAX_RETRY = Duration.ofSeconds(30);

  /** One accepted event. {@code body} is the Events v2 body with the role as routing key. */
  public record Entry(long seq, Routing routing, PageSeverity severity, String dedupKey, PageAction action,
      ObjectNode body) {
    public Entry {
      Objects.requireNonNull(routing, "routing");
      Objects.requireNonNull(severity, "severity");
      Objects.requireNonNull(dedupKey, "dedupKey");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(body, "body");
    }
  }

  /** What became of an event handed to {@link #accept}. */
  public enum Admission {
    /** On disk: a restart delivers it. */
    WRITTEN,
    /** Accepted and to be sent, but only in memory: the disk refused the write (retried). */
    HELD,
    /** Not accepted: the outbox is at its bound for this severity. */
    REFUSED
  }

  /** The answer to {@link #accept}: an entry unless refused. */
  public record Acceptance(Admission admission, Optional<Entry> entry, String detail) {
    public Acceptance {
      Objects.requireNonNull(admission, "admission");
      Objects.requireNonNull(entry, "entry");
      if (entry.isPresent() == (admission == Admission.REFUSED)) {
        throw new IllegalArgumentException("an entry exactly when not refused: " + admission);
      }
      detail = detail == null ? "" : detail;
    }
  }

  /** A line waiting for the disk; {@code entry} and {@code result} only for event lines. */
  private record Pending(String text, Entry entry, CompletableFuture<Acceptance> result) {}

  private final Path file;
  private final int capacity;
  private final FileOpener opener;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final EventsV2Json events = new EventsV2Json(json);
  private final ScheduledThreadPoolExecutor writer;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();
  private final Backoff backoff = new Backoff(FIRST_RETRY, MAX_RETRY, () -> ThreadLocalRandom.current().nextDouble());
  // Guarded by this:
  private final Map<Long, Entry> unsettled = new TreeMap<>();
  private final Set<Long> durable = new HashSet<>();
  private final Map<String, OpenIncident> open = new TreeMap<>();
  private final Set<String> refusedKeys = new HashSet<>();
  private long nextSeq = 1;
  // Confined to the writer thread (and to open() before it starts):
  private final Deque<Pending> backlog = new ArrayDeque<>();
  private FileChannel channel;
  private long lines;
  private boolean tornTail;
  private boolean retryScheduled;
  private boolean compactionWanted;
  private int failures;
  private Instant failingSince;
  private volatile String problem;

  private PagingOutbox(Path file, int capacity, FileOpener opener, Clock clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.file = file;
    this.capacity = capacity;
    this.opener = opener;
    this.clock = clock;
    this.writer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "tandem-paging-outbox");
      t.setDaemon(true);
      return t;
    });
    // A retry waiting for the disk is not a reason to hold up a shutdown.
    this.writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Reads what a previous run left (pending events, open incidents), compacts, and opens for appending. */
  public static PagingOutbox open(Path file, int capacity) throws IOException {
    return open(file, capacity, FileOpener.system(), Clock.systemUTC());
  }

  /** As {@link #open(Path, int)}, writing through {@code opener}. */
  public static PagingOutbox open(Path file, int capacity, FileOpener opener, Clock clock) throws IOException {
    PagingOutbox o = new PagingOutbox(file, capacity, opener, clock);
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (Files.exists(file)) {
      o.read();
    }
    try {
      o.compact();
    } catch (IOException e) {
      // A full disk must not keep paging from starting: append to the file as it is.
      log.error("paging outbox: cannot compact {} at start ({}); appending to it as it is", file, e.toString());
      o.channel = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      o.tornTail = o.endsInsideALine();
      o.compactionWanted = true;
    }
    return o;
  }

  private boolean endsInsideALine() throws IOException {
    long size = channel.size();
    if (size == 0) {
      return false;
    }
    ByteBuffer last = ByteBuffer.allocate(1);
    try (FileChannel r = FileChannel.open(file, StandardOpenOption.READ)) {
      r.read(last, size - 1);
    }
    return last.get(0) != '\n';
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
              unsettled.put(seq, e);
              durable.add(seq);
              track(e);
              nextSeq = Math.max(nextSeq, seq + 1);
              break;
            }
            case "ack":
            case "failed": {
              long seq = n.get("seq").asLong();
              unsettled.remove(seq);
              durable.remove(seq);
              break;
            }
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
          bad++; // A torn line after a crash or a failed write: expected, skipped.
        }
      }
    }
    if (!unsettled.isEmpty() || bad > 0) {
      log.info("paging outbox: {} events still to deliver, {} open incidents ({} unreadable lines skipped)",
          unsettled.size(), open.size(), bad);
    }
  }

  private void track(Entry e) {
    if (e.action() == PageAction.TRIGGER) {
      open.put(e.dedupKey(), new OpenIncident(e.dedupKey(), e.routing(), e.severity()));
    } else {
      open.remove(e.dedupKey());
    }
  }

  /**
   * Rewrites the file with only what still matters (open incidents, events written and not
   * settled) and switches appending to it. Runs at open and on the writer thread with an empty
   * backlog; on failure the old file and channel stay as they were.
   */
  private void compact() throws IOException {
    List<String> out = new ArrayList<>();
    synchronized (this) {
      open.values().forEach(i -> out.add(openLine(i)));
      unsettled.values().stream().filter(e -> durable.contains(e.seq())).forEach(e -> out.add(eventLine(e)));
    }
    DurableFiles.replace(opener, file, c -> {
      StringBuilder text = new StringBuilder();
      out.forEach(l -> text.append(l).append('\n'));
      DurableFiles.writeFully(c, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    });
    FileChannel previous = channel;
    channel = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    if (previous != null) {
      try {
        previous.close();
      } catch (IOException e) {
        log.debug("paging outbox: closing the old file failed", e);
      }
    }
    lines = out.size();
    tornTail = false;
    compactionWanted = false;
  }

  /** Events accepted and not yet answered by PagerDuty, oldest first: what the sender must deliver. */
  public synchronized List<Entry> pending() {
    return List.copyOf(unsettled.values());
  }

  public synchronized int pendingCount() {
    return unsettled.size();
  }

  /** Events accepted while the disk refused them: sent, but lost by a restart until written. */
  public synchronized int heldCount() {
    return unsettled.size() - durable.size();
  }

  /** True while the event is accepted and not yet answered (delivered or rejected). */
  public synchronized boolean isPending(long seq) {
    return unsettled.containsKey(seq);
  }

  /** Incidents triggered and not resolved, as of the accepted events. */
  public synchronized List<OpenIncident> openIncidents() {
    return List.copyOf(open.values());
  }

  public long refused() {
    return refused.get();
  }

  @Override
  public String writer() {
    return "outbox";
  }

  /** Events refused at the bound. */
  @Override
  public long dropped() {
    return refused.get();
  }

  @Override
  public long writeFailures() {
    return writeFailures.get();
  }

  @Override
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /**
   * Accepts an event: completes once it is on disk ({@link Admission#WRITTEN}), or at once when
   * the disk is failing ({@link Admission#HELD}), or when the bound refuses it
   * ({@link Admission#REFUSED}). Never blocks the caller.
   */
  public CompletableFuture<Acceptance> accept(PageEvent event) {
    Entry entry;
    synchronized (this) {
      if (refuse(event)) {
        refused.incrementAndGet();
        if (event.action() == PageAction.TRIGGER) {
          refusedKeys.add(event.dedupKey());
        }
        log.warn("paging outbox full ({} pending of {}): refused {} {} ({})", unsettled.size(), capacity,
            event.action().wire(), event.dedupKey(), event.severity().wire());
        return CompletableFuture.completedFuture(new Acceptance(Admission.REFUSED, Optional.empty(),
            "paging outbox at its bound"));
      }
      refusedKeys.remove(event.dedupKey());
      entry = new Entry(nextSeq++, event.routing(), event.severity(), event.dedupKey(), event.action(),
          events.encode(event, event.routing().name()));
      unsettled.put(entry.seq(), entry);
      track(entry);
    }
    CompletableFuture<Acceptance> result = new CompletableFuture<>();
    Pending line = new Pending(eventLine(entry), entry, result);
    try {
      writer.execute(() -> {
        backlog.add(line);
        flush();
      });
    } catch (RejectedExecutionException closed) {
      result.complete(new Acceptance(Admission.HELD, Optional.of(entry), "paging outbox closed: not written"));
    }
    return result;
  }

  private boolean refuse(PageEvent e) {
    int n = unsettled.size();
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

  /** PagerDuty refused the event for good (400): it is never sent again. */
  public CompletableFuture<Void> rejected(long seq, int status) {
    return settle(seq, "{\"op\":\"failed\",\"seq\":" + seq + ",\"status\":" + status + "}");
  }

  private CompletableFuture<Void> settle(long seq, String marker) {
    synchronized (this) {
      if (unsettled.remove(seq) == null) {
        return CompletableFuture.completedFuture(null);
      }
      durable.remove(seq);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      writer.execute(() -> {
        if (!dropUnwrittenEvent(seq)) {
          backlog.add(new Pending(marker, null, null));
        }
        flush();
        done.complete(null);
      });
    } catch (RejectedExecutionException closed) {
      done.complete(null); // a restart sends it once more: PagerDuty's dedup key makes that harmless
    }
    return done;
  }

  /**
   * A settled event whose line never reached the disk needs neither line nor marker: it leaves
   * the backlog, which stays bounded however long the disk is full. Its incident state is in
   * memory and reaches the file with the compaction that follows the recovery.
   */
  private boolean dropUnwrittenEvent(long seq) {
    for (Iterator<Pending> it = backlog.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.entry() != null && p.entry().seq() == seq) {
        it.remove();
        if (!p.result().isDone()) {
          p.result().complete(new Acceptance(Admission.HELD, Optional.of(p.entry()), "held in memory"));
        }
        compactionWanted = true;
        return true;
      }
    }
    return false;
  }

  /**
   * One pass of the writer thread: writes the backlog in one go and forces it, then compacts if
   * due. On failure the backlog is held and one retry is scheduled with backoff; until it runs,
   * new lines only join the backlog (and new events learn at once that they are held).
   */
  private void flush() {
    if (retryScheduled) {
      hold();
      return;
    }
    try {
      writeBacklog();
      if (backlog.isEmpty() && (compactionWanted || lines > COMPACT_AFTER)) {
        compact();
      }
      if (failures > 0) {
        log.warn("paging outbox: writing to {} again after {} failed attempts since {}; the events held in memory"
            + " are on disk now", file, failures, failingSince);
        failures = 0;
        failingSince = null;
        problem = null;
      }
    } catch (IOException e) {
      failed(e);
    }
  }

  private void writeBacklog() throws IOException {
    if (backlog.isEmpty()) {
      return;
    }
    StringBuilder text = new StringBuilder(tornTail ? "\n" : "");
    backlog.forEach(p -> text.append(p.text()).append('\n'));
    if (channel == null || !channel.isOpen()) {
      channel = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }
    long size = channel.size();
    try {
      DurableFiles.writeFully(channel, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
      channel.force(false);
    } catch (IOException e) {
      tornTail = !DurableFiles.truncateQuietly(channel, size);
      throw e;
    }
    tornTail = false;
    lines += backlog.size();
    for (Pending p : backlog) {
      if (p.entry() != null) {
        synchronized (this) {
          if (unsettled.containsKey(p.entry().seq())) {
            durable.add(p.entry().seq());
          }
        }
        p.result().complete(new Acceptance(Admission.WRITTEN, Optional.of(p.entry()), ""));
      }
    }
    backlog.clear();
    if (failures > 0) {
      compactionWanted = true; // the incident state of events settled while they were held
    }
  }

  private void failed(IOException e) {
    writeFailures.incrementAndGet();
    failures++;
    if (failingSince == null) {
      failingSince = clock.instant();
    }
    long delay = backoff.delayNanos(failures);
    int held = heldCount();
    problem = "paging outbox cannot write to " + file + " since " + failingSince + " (" + e.getMessage() + "): "
        + held + " accepted events are held in memory only (still sent; a restart now would lose them), retrying";
    if (failures == 1 || Integer.bitCount(failures) == 1) {
      log.error("paging outbox: CANNOT WRITE to {} ({} failed attempts since {}): {} accepted events held in memory"
          + " only; they are still sent, and written once the disk takes them again (retry in {} ms)", file,
          failures, failingSince, held, delay / 1_000_000, e);
    }
    hold();
    retryScheduled = true;
    try {
      writer.schedule(() -> {
        retryScheduled = false;
        flush();
      }, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      retryScheduled = false;
    }
  }

  private void hold() {
    for (Pending p : backlog) {
      if (p.result() != null && !p.result().isDone()) {
        p.result().complete(new Acceptance(Admission.HELD, Optional.of(p.entry()),
            "held in memory: the outbox cannot write to disk now (" + problem + ")"));
      }
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

  /** Finishes the queued writes (one last try if the disk is failing) and closes the file. */
  @Override
  public void close() {
    try {
      writer.execute(() -> {
        retryScheduled = false;
        flush();
        if (!backlog.isEmpty()) {
          log.error("paging outbox: closing with {} lines not on disk; {} accepted events were never written",
              backlog.size(), heldCount());
        }
      });
    } catch (RejectedExecutionException alreadyClosed) {
      return;
    }
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
