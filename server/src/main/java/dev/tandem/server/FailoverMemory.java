package dev.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.budget.MaintenanceWindow;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.judge.VerdictEngine;
import dev.tandem.engine.observation.MaintenanceObservation;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.SwitchObservation;
import dev.tandem.server.api.ApiChanges;
import dev.tandem.server.storage.Backoff;
import dev.tandem.server.storage.DurableFiles;
import dev.tandem.server.storage.FileOpener;
import dev.tandem.server.storage.WriterHealth;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a process must not forget across a restart, even {@code kill -9}: the switches reported
 * with {@code PUT /api/v1/verdicts/{domain}/active} (so it never goes back to the configuration's
 * {@code active}, and its anti-flap period counts from the real switch) and the maintenance windows
 * added through the API. Kept in {@code storage.dir/failover-memory.json} and restored at start,
 * before the SLO state (whose journal is judged against the windows).
 *
 * <p>Each change is applied to the engines at once, written to the observation log (a
 * {@code switch} or {@code maintenance} line) and made durable by a writer thread of its own: the
 * whole document is written to a temporary file, forced, renamed over the old one and the folder is
 * forced ({@link DurableFiles#replace}), so a crash leaves the old or the new document, never a mix.
 * Changes that come while a write is under way are written together by the next one. A failed
 * write (a full disk) is retried with backoff (0.5 s doubling to 30 s), never given up: the change
 * stays in effect in memory meanwhile, {@link #problem()} says so, and it is on disk as soon as the
 * disk takes writes again. Callers never wait for the disk: they get a stage that completes when
 * their change is durable, or when the attempt failed (at once while the disk is known to fail).
 *
 * <p>Bounded: one switch per configured domain, at most {@link #MAX_WINDOWS} windows added through
 * the API (one more is refused).
 */
final class FailoverMemory implements ApiChanges, WriterHealth, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FailoverMemory.class);
  static final String FILE = "failover-memory.json";
  static final int MAX_WINDOWS = 1_000;
  static final Duration FIRST_RETRY = Duration.ofMillis(500);
  static final Duration MAX_RETRY = Duration.ofSeconds(30);
  private static final int FORMAT = 1;

  /** The latest switch of a domain. */
  record Switch(String cloud, Instant at, String by) {}

  /** A window added through the API, when and by whom. */
  record Window(MaintenanceWindow window, Instant addedAt, String by) {}

  private record Waiter(long version, CompletableFuture<Boolean> durable) {}

  private final Path file;
  private final FileOpener opener;
  private final Clock clock;
  private final VerdictEngine engine;
  private final SloEngine slos;
  private final ObservationSink observationLog;
  private final Set<String> configuredWindows;
  private final ObjectMapper json = new ObjectMapper();
  private final Backoff backoff = new Backoff(FIRST_RETRY, MAX_RETRY, () -> ThreadLocalRandom.current().nextDouble());
  private final AtomicLong writeFailures = new AtomicLong();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread writer;
  private final Map<String, Switch> switches = new TreeMap<>();
  private final Map<String, Window> windows = new LinkedHashMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private long version;
  private long durableVersion;
  private volatile boolean running = true;
  private volatile String problem;

  private FailoverMemory(Path file, FileOpener opener, Clock clock, VerdictEngine engine, SloEngine slos,
      ObservationSink observationLog, Set<String> configuredWindows) {
    this.file = file;
    this.opener = opener;
    this.clock = clock;
    this.engine = engine;
    this.slos = slos;
    this.observationLog = observationLog;
    this.configuredWindows = Set.copyOf(configuredWindows);
    this.writer = new Thread(this::drain, "tandem-failover-memory");
    this.writer.setDaemon(true);
  }

  /**
   * Reads what the folder remembers, applies it to the engines and starts the writer.
   *
   * @param observationLog where {@code switch} and {@code maintenance} lines go (the recording)
   * @param configuredWindows ids of the configuration's own windows: the API may not replace or
   *     remove them, and a remembered window with such an id gives way to the configuration's
   * @throws IOException when the file exists but cannot be read: starting from the configuration's
   *     active clouds instead could judge the wrong cloud, so the process refuses to start and says
   *     which file to fix
   */
  static FailoverMemory open(Path dir, FileOpener opener, Clock clock, VerdictEngine engine, SloEngine slos,
      ObservationSink observationLog, Set<String> configuredWindows) throws IOException {
    FailoverMemory m = new FailoverMemory(dir.resolve(FILE), opener, clock, engine, slos, observationLog,
        configuredWindows);
    m.restore();
    m.writer.start();
    return m;
  }

  private void restore() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    JsonNode doc;
    try {
      doc = json.readTree(Files.readString(file, StandardCharsets.UTF_8));
      if (doc == null || !doc.isObject() || doc.path("format").asInt() != FORMAT) {
        throw new IOException("not a format " + FORMAT + " document");
      }
    } catch (IOException e) {
      throw new IOException(file + " cannot be read (" + e.getMessage() + "): it holds the switches and maintenance"
          + " windows reported through the API; fix it, or delete it to start from the configuration's active clouds",
          e);
    }
    boolean dropped = false;
    for (JsonNode n : doc.path("active")) {
      String domain = n.path("domain").asText();
      try {
        Switch s = new Switch(n.path("cloud").asText(), Instant.parse(n.path("at").asText()), n.path("by").asText());
        engine.restoreActive(domain, s.cloud(), s.at());
        switches.put(domain, s);
        log.info("{} is active on {} since {} (reported by {}; remembered in {})", domain, s.cloud(), s.at(), s.by(),
            file);
      } catch (RuntimeException e) {
        dropped = true;
        log.warn("{}: forgetting the remembered switch of '{}': {}", file, domain, e.getMessage());
      }
    }
    for (JsonNode n : doc.path("maintenance")) {
      String id = n.path("id").asText();
      try {
        MaintenanceWindow w = new MaintenanceWindow(id, text(n, "slo"), text(n, "cloud"),
            Instant.parse(n.path("start").asText()), Instant.parse(n.path("end").asText()), n.path("reason").asText(""));
        if (configuredWindows.contains(id)) {
          throw new IllegalArgumentException("the configuration defines a window with this id now");
        }
        if (w.slo() != null && slos.specs().stream().noneMatch(s -> s.name().equals(w.slo()))) {
          throw new IllegalArgumentException("unknown SLO '" + w.slo() + "'");
        }
        slos.addMaintenance(w);
        windows.put(id, new Window(w, Instant.parse(n.path("addedAt").asText()), n.path("by").asText()));
      } catch (RuntimeException e) {
        dropped = true;
        log.warn("{}: forgetting the maintenance window '{}': {}", file, id, e.getMessage());
      }
    }
    if (!windows.isEmpty()) {
      log.info("{} maintenance window(s) added through the API restored from {}", windows.size(), file);
    }
    if (dropped) {
      version++; // rewrite without what no longer fits the configuration
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  @Override
  public CompletionStage<Boolean> reportActive(String domain, String cloud, String by) {
    Instant now = clock.instant();
    synchronized (this) {
      if (!engine.reportActive(domain, cloud, now)) {
        // Nothing changed (a controller's retry, or a report to every observer): durable when the last change is.
        return stageFor(version);
      }
      switches.put(domain, new Switch(cloud, now, by));
      observationLog.accept(new SwitchObservation(now, domain, cloud, by));
      return changed();
    }
  }

  @Override
  public CompletionStage<Boolean> addMaintenance(MaintenanceWindow window, String by) {
    Instant now = clock.instant();
    synchronized (this) {
      if (configuredWindows.contains(window.id()) || windows.containsKey(window.id())) {
        throw new IllegalStateException("a maintenance window '" + window.id() + "' exists already"
            + (configuredWindows.contains(window.id()) ? " in the configuration file" : ""));
      }
      if (windows.size() >= MAX_WINDOWS) {
        throw new IllegalStateException("at most " + MAX_WINDOWS + " maintenance windows can be added through the"
            + " API; remove old ones first");
      }
      slos.addMaintenance(window);
      windows.put(window.id(), new Window(window, now, by));
      observationLog.accept(MaintenanceObservation.added(now, window.id(), window.slo(), window.cloud(), window.start(),
          window.end(), window.reason(), by));
      return changed();
    }
  }

  @Override
  public CompletionStage<Boolean> removeMaintenance(String id, String by) {
    Instant now = clock.instant();
    synchronized (this) {
      if (configuredWindows.contains(id)) {
        throw new IllegalStateException("maintenance window '" + id + "' is defined in the configuration file;"
            + " remove it there");
      }
      if (windows.remove(id) == null) {
        throw new NoSuchElementException("no maintenance window '" + id + "'");
      }
      slos.removeMaintenance(id);
      observationLog.accept(MaintenanceObservation.removed(now, id, by));
      return changed();
    }
  }

  /** The windows added through the API, in the order they were added. */
  synchronized List<Window> windows() {
    return List.copyOf(windows.values());
  }

  /** The latest switch of {@code domain} this process was told of, if any. */
  synchronized Optional<Switch> lastSwitch(String domain) {
    return Optional.ofNullable(switches.get(domain));
  }

  @Override
  public synchronized Optional<Active> active(String domain) {
    if (engine.domain(domain).isEmpty()) {
      return Optional.empty();
    }
    Switch s = switches.get(domain);
    return Optional.of(new Active(domain, engine.activeCloud(domain), s == null ? null : s.at(),
        s == null ? null : s.by()));
  }

  /** Whether every change so far is on disk. */
  synchronized boolean durable() {
    return durableVersion == version;
  }

  private CompletableFuture<Boolean> changed() {
    version++;
    notifyAll();
    return stageFor(version).toCompletableFuture();
  }

  /**
   * Guarded by this: a stage for a change of {@code v}, done at once when it is on disk, or when
   * the disk is failing (the writer may be waiting out a long backoff: the caller is not kept
   * waiting for it; the change is written with the next attempt that succeeds).
   */
  private CompletionStage<Boolean> stageFor(long v) {
    if (durableVersion >= v) {
      return CompletableFuture.completedFuture(true);
    }
    if (problem != null) {
      return CompletableFuture.completedFuture(false);
    }
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    waiters.add(new Waiter(v, done));
    return done;
  }

  /** Guarded by this: tells the callers whose changes the write of {@code upTo} covered. */
  private void settle(long upTo, boolean durable) {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.version() <= upTo) {
        it.remove();
        w.durable().complete(durable);
      }
    }
  }

  private byte[] encode() {
    ObjectNode doc = json.createObjectNode();
    doc.put("format", FORMAT);
    ArrayNode active = doc.putArray("active");
    switches.forEach((domain, s) -> active.addObject().put("domain", domain).put("cloud", s.cloud())
        .put("at", s.at().toString()).put("by", s.by()));
    ArrayNode maintenance = doc.putArray("maintenance");
    for (Window w : windows.values()) {
      ObjectNode n = maintenance.addObject().put("id", w.window().id());
      if (w.window().slo() != null) {
        n.put("slo", w.window().slo());
      }
      if (w.window().cloud() != null) {
        n.put("cloud", w.window().cloud());
      }
      n.put("start", w.window().start().toString()).put("end", w.window().end().toString())
          .put("reason", w.window().reason()).put("addedAt", w.addedAt().toString()).put("by", w.by());
    }
    return (doc.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private void drain() {
    int failures = 0;
    Instant failingSince = null;
    try {
      while (true) {
        long target;
        byte[] bytes;
        synchronized (this) {
          while (running && version == durableVersion) {
            wait(200);
          }
          if (version == durableVersion) {
            return;
          }
          target = version;
          bytes = encode();
        }
        try {
          DurableFiles.replace(opener, file, c -> DurableFiles.writeFully(c, ByteBuffer.wrap(bytes)));
          synchronized (this) {
            durableVersion = target;
            settle(target, true);
          }
          if (failures > 0) {
            log.warn("{}: written again after {} failed attempts since {}", file, failures, failingSince);
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
          problem = "failover memory cannot write " + file + " since " + failingSince + " (" + e.getMessage()
              + "); the reported switches and maintenance windows hold in memory and are retried, a restart before"
              + " then would forget the latest";
          synchronized (this) {
            settle(target, false);
          }
          if (failures == 1 || Integer.bitCount(failures) == 1) {
            log.error("{}: cannot write the reported switches and maintenance windows ({} failed attempts since {});"
                + " retrying", file, failures, failingSince, e);
          }
          if (!running) {
            log.error("{}: stopping with the latest changes unwritten", file);
            return;
          }
          closing.await(backoff.delayNanos(failures), TimeUnit.NANOSECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String writer() {
    return "failover";
  }

  @Override
  public long dropped() {
    return 0; // the latest state is written whole: nothing queues up to be dropped
  }

  @Override
  public long writeFailures() {
    return writeFailures.get();
  }

  @Override
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /** Writes what is not on disk yet (one last try when the disk fails), then stops. */
  @Override
  public void close() {
    running = false;
    closing.countDown();
    synchronized (this) {
      notifyAll();
    }
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      settle(Long.MAX_VALUE, false);
    }
  }
}
