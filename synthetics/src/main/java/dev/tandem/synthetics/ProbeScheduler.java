package dev.tandem.synthetics;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every journey from every vantage against every target cloud whose current role the journey
 * asks for, once per {@link ProbeSettings#interval()}.
 *
 * <ul>
 *   <li>Each (journey, vantage, cloud) has its own timer: a random first delay within one interval
 *       spreads the load, and each later wait is the interval plus or minus the jitter.
 *   <li>Roles are read from the supplier at every tick, so a failover takes effect at the next
 *       tick without a restart. A cloud without a role is not probed. The supplier must not block.
 *   <li>Never two runs of one (journey, vantage, cloud) at once: a tick that finds the previous run
 *       still going is a missed schedule, counted and not queued.
 *   <li>At most {@link ProbeSettings#maxInFlight()} runs at once: a tick beyond it is shed, counted
 *       and not queued.
 * </ul>
 *
 * All timers and ticks run on one Vert.x context, captured at {@link #start()}.
 */
public final class ProbeScheduler {
  private static final Logger log = LoggerFactory.getLogger(ProbeScheduler.class);

  /** Runs one journey once; {@link JourneyRunner#run} in production, a stand-in in tests. */
  @FunctionalInterface
  interface RunFunction {
    Future<RunResult> run(Journey journey, Target target, Vantage vantage);
  }

  /**
   * Told of every run as it starts, with when the plan wanted it: for schedule-accuracy figures
   * and self-metrics. Called on the scheduler's event loop; must not block.
   */
  @FunctionalInterface
  public interface StartListener {
    /**
     * @param plannedNanos when the plan wanted the run, on the {@link System#nanoTime()} scale
     * @param startedNanos when it started, on the same scale
     */
    void started(String journey, String vantage, String cloud, long plannedNanos, long startedNanos);
  }

  /** A (journey, vantage, cloud) schedule's state, for status pages and tests. */
  public record SlotStatus(String journey, String vantage, String cloud, boolean running,
      Instant lastStarted, Boolean lastOk, long missed) {}

  private final Vertx vertx;
  private final RunFunction runner;
  private final List<Slot> slots;
  private final Supplier<Map<String, String>> roles;
  private final ProbeSettings settings;
  private final RandomGenerator random;
  private final Clock clock;
  private final StartListener listener;

  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong started = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failedRuns = new AtomicLong();
  private final AtomicLong missed = new AtomicLong();
  private final AtomicLong shed = new AtomicLong();
  private final Promise<Void> stopped = Promise.promise();
  private volatile Context context;
  private volatile boolean running;
  private volatile boolean stopping;

  private final class Slot {
    final Journey journey;
    final Vantage vantage;
    final Target target;
    final AtomicBoolean busy = new AtomicBoolean();
    final AtomicLong missed = new AtomicLong();
    volatile long timer = -1;
    /** When the plan wants the next tick ({@link System#nanoTime()}); only touched on the context. */
    long plannedNanos;
    volatile Instant lastStarted;
    volatile Boolean lastOk;

    Slot(Journey journey, Vantage vantage, Target target) {
      this.journey = journey;
      this.vantage = vantage;
      this.target = target;
    }

    SlotStatus status() {
      return new SlotStatus(journey.name(), vantage.id(), target.cloud(), busy.get(),
          lastStarted, lastOk, missed.get());
    }
  }

  private ProbeScheduler(Builder b, RunFunction runner) {
    this.vertx = b.vertx;
    this.runner = runner;
    this.roles = b.roles;
    this.settings = b.settings;
    this.random = b.random;
    this.clock = b.clock;
    this.listener = b.listener;
    List<Slot> all = new ArrayList<>();
    for (Journey journey : b.journeys) {
      for (Vantage vantage : b.vantages) {
        b.targets.forEach((cloud, url) -> all.add(new Slot(journey, vantage, new Target(cloud, url))));
      }
    }
    this.slots = List.copyOf(all);
  }

  /**
   * @param runner runs the journeys; its settings' timeout and retries apply to each run
   */
  public static Builder builder(Vertx vertx, JourneyRunner runner) {
    Objects.requireNonNull(runner, "runner");
    return new Builder(vertx, runner::run);
  }

  static Builder builder(Vertx vertx, RunFunction runner) {
    return new Builder(vertx, runner);
  }

  /** Arms every schedule. Completes once armed; a second call is an error. */
  public Future<Void> start() {
    if (running || stopping) {
      return Future.failedFuture(new IllegalStateException("the scheduler was already started"));
    }
    running = true;
    Context ctx = vertx.getOrCreateContext();
    this.context = ctx;
    Promise<Void> armed = Promise.promise();
    ctx.runOnContext(v -> {
      long intervalMs = settings.interval().toMillis();
      long now = System.nanoTime();
      for (Slot slot : slots) {
        slot.plannedNanos = now + TimeUnit.MILLISECONDS.toNanos(1 + random.nextLong(intervalMs));
        arm(slot, now);
      }
      log.info("probing {} schedules every {} ms", slots.size(), intervalMs);
      armed.complete();
    });
    return armed.future();
  }

  /**
   * Stops scheduling; runs in progress go on to their end (each is bounded by its timeouts). The
   * future completes when the last one has finished.
   */
  public Future<Void> stop() {
    stopping = true;
    Context ctx = context;
    if (ctx == null) {
      stopped.tryComplete();
      return stopped.future();
    }
    ctx.runOnContext(v -> {
      for (Slot slot : slots) {
        if (slot.timer >= 0) {
          vertx.cancelTimer(slot.timer);
        }
      }
      if (inFlight.get() == 0) {
        stopped.tryComplete();
      }
    });
    return stopped.future();
  }

  /**
   * Sets the timer for the slot's planned time. The plan advances from the plan, not from when a
   * timer happened to fire, so lateness never accumulates into drift.
   */
  private void arm(Slot slot, long nowNanos) {
    if (stopping) {
      return;
    }
    // Rounded up: a timer has millisecond resolution, and early is worse than a fraction late.
    long delayMs = Math.floorDiv(slot.plannedNanos - nowNanos + 999_999, 1_000_000);
    slot.timer = vertx.setTimer(Math.max(1, delayMs), id -> tick(slot));
  }

  private long nextDelay() {
    long intervalMs = settings.interval().toMillis();
    double spread = settings.jitter() * intervalMs;
    long offset = spread > 0 ? Math.round((random.nextDouble() * 2 - 1) * spread) : 0;
    return intervalMs + offset;
  }

  private void tick(Slot slot) {
    if (stopping) {
      return;
    }
    long now = System.nanoTime();
    long planned = slot.plannedNanos;
    long intervalNanos = settings.interval().toNanos();
    slot.plannedNanos = planned + TimeUnit.MILLISECONDS.toNanos(nextDelay());
    if (slot.plannedNanos < now) {
      // More than an interval behind (a paused process): start the plan again from now.
      slot.plannedNanos = now + intervalNanos;
    }
    arm(slot, now);
    String role;
    try {
      Map<String, String> current = roles.get();
      role = current == null ? null : current.get(slot.target.cloud());
    } catch (RuntimeException e) {
      log.warn("cannot read the clouds' roles; skipping this tick", e);
      return;
    }
    if (!slot.journey.runsAgainst(role)) {
      return;
    }
    if (slot.busy.get()) {
      missed.incrementAndGet();
      slot.missed.incrementAndGet();
      return;
    }
    if (inFlight.get() >= settings.maxInFlight()) {
      shed.incrementAndGet();
      return;
    }
    slot.busy.set(true);
    inFlight.incrementAndGet();
    started.incrementAndGet();
    slot.lastStarted = clock.instant();
    if (listener != null) {
      try {
        listener.started(slot.journey.name(), slot.vantage.id(), slot.target.cloud(), planned, now);
      } catch (RuntimeException e) {
        log.warn("start listener threw", e);
      }
    }
    Future<RunResult> run;
    try {
      run = runner.run(slot.journey, slot.target, slot.vantage);
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    run.onComplete(ar -> {
      if (ar.succeeded()) {
        slot.lastOk = ar.result().ok();
        if (!ar.result().ok()) {
          failedRuns.incrementAndGet();
        }
      } else {
        slot.lastOk = false;
        failedRuns.incrementAndGet();
        log.warn("run of {} from {} against {} failed", slot.journey.name(), slot.vantage.id(),
            slot.target.cloud(), ar.cause());
      }
      completed.incrementAndGet();
      slot.busy.set(false);
      if (inFlight.decrementAndGet() == 0 && stopping) {
        stopped.tryComplete();
      }
    });
  }

  /** Ticks that found the previous run of the same schedule still going. */
  public long missedSchedules() {
    return missed.get();
  }

  /** Ticks dropped because {@link ProbeSettings#maxInFlight()} runs were already going. */
  public long shedRuns() {
    return shed.get();
  }

  public long startedRuns() {
    return started.get();
  }

  public long completedRuns() {
    return completed.get();
  }

  /** Completed runs in which a critical step failed. */
  public long failedRuns() {
    return failedRuns.get();
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** One entry per (journey, vantage, cloud). */
  public List<SlotStatus> status() {
    return slots.stream().map(Slot::status).toList();
  }

  /** Builds a {@link ProbeScheduler}; fails fast on missing or contradictory parts. */
  public static final class Builder {
    private final Vertx vertx;
    private final RunFunction runner;
    private List<Journey> journeys = List.of();
    private List<Vantage> vantages = List.of();
    private Map<String, String> targets = Map.of();
    private Supplier<Map<String, String>> roles;
    private ProbeSettings settings = ProbeSettings.defaults();
    private RandomGenerator random = RandomGenerator.getDefault();
    private Clock clock = Clock.systemUTC();
    private StartListener listener;

    private Builder(Vertx vertx, RunFunction runner) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      this.runner = Objects.requireNonNull(runner, "runner");
    }

    public Builder journeys(List<Journey> value) {
      this.journeys = List.copyOf(value);
      return this;
    }

    public Builder vantages(List<Vantage> value) {
      this.vantages = List.copyOf(value);
      return this;
    }

    /** Cloud id to base URL. */
    public Builder targets(Map<String, String> value) {
      this.targets = Map.copyOf(value);
      return this;
    }

    /** Cloud id to its current role, {@code active} or {@code standby}; read at every tick. */
    public Builder roles(Supplier<Map<String, String>> value) {
      this.roles = Objects.requireNonNull(value, "roles");
      return this;
    }

    public Builder settings(ProbeSettings value) {
      this.settings = Objects.requireNonNull(value, "settings");
      return this;
    }

    /** For the jitter; inject a seeded one in tests. */
    public Builder random(RandomGenerator value) {
      this.random = Objects.requireNonNull(value, "random");
      return this;
    }

    /** For {@link SlotStatus#lastStarted()}; probe observations take the runner's clock. */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** Told of every run start with its planned time; optional. */
    public Builder startListener(StartListener value) {
      this.listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    public ProbeScheduler build() {
      if (roles == null) {
        throw new IllegalStateException("roles are required: which cloud is active decides what runs");
      }
      if (journeys.isEmpty() || vantages.isEmpty() || targets.isEmpty()) {
        throw new IllegalStateException("need at least one journey, vantage and target");
      }
      long names = journeys.stream().map(Journey::name).distinct().count();
      if (names != journeys.size()) {
        throw new IllegalStateException("two journeys have the same name");
      }
      long ids = vantages.stream().map(Vantage::id).distinct().count();
      if (ids != vantages.size()) {
        throw new IllegalStateException("two vantages have the same id");
      }
      return new ProbeScheduler(this, runner);
    }
  }
}
