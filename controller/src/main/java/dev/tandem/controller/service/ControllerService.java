package dev.tandem.controller.service;

import dev.tandem.controller.Decision;
import dev.tandem.controller.DomainPolicy;
import dev.tandem.controller.FailoverController;
import dev.tandem.controller.Gate;
import dev.tandem.controller.ObservedVerdict;
import dev.tandem.controller.ObserverReading;
import dev.tandem.controller.traffic.TrafficSwitch;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller process: polls every observer, decides with {@link FailoverController}, switches
 * through a {@link TrafficSwitch}, reports the switch to every observer, and writes every decision
 * to its log and {@code /metrics}. One poll round at a time: a round still running when the next
 * is due makes that one skip (counted).
 */
public final class ControllerService {
  private static final Logger log = LoggerFactory.getLogger(ControllerService.class);
  private static final long MAX_BACKOFF_MS = 5_000;
  /**
   * Every this many rounds the controller asks the traffic switch which cloud is active, so a
   * switch that landed after it was counted as failed, or an operator's, is noticed.
   */
  static final int RECONCILE_EVERY_ROUNDS = 15;
  /**
   * An observer whose verdict names another active cloud than the controller's (it missed a report,
   * or restarted with an older one) is told again, at most this often while no report to it is on
   * its way.
   */
  static final java.time.Duration RETELL_AFTER = java.time.Duration.ofSeconds(10);

  private final Vertx vertx;
  private final ControllerConfig config;
  private final TrafficSwitch traffic;
  private final Clock clock;
  private final FailoverController controller;
  private final List<ObserverClient> observers = new ArrayList<>();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<Gate> adminGate = new AtomicReference<>(Gate.open());
  private final AtomicBoolean gateFileExists = new AtomicBoolean();
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicLong rounds = new java.util.concurrent.atomic.AtomicLong();
  private final Map<String, String> lastReconcileProblem = new ConcurrentHashMap<>();
  private final Map<String, Decision> lastDecision = new ConcurrentHashMap<>();
  private final Map<String, Decision> lastLogged = new ConcurrentHashMap<>();
  private final Map<String, Boolean> reachable = new ConcurrentHashMap<>();
  private final Map<String, String> lastProblem = new ConcurrentHashMap<>();
  private final Map<String, Recovery> recoveries = new ConcurrentHashMap<>();
  private final Map<String, Instant> troubleSeen = new ConcurrentHashMap<>();
  /** Per observer and domain: when a report was last sent, and whether one is on its way (key present). */
  private final Map<String, Instant> toldAt = new ConcurrentHashMap<>();
  private final Map<String, Boolean> reporting = new ConcurrentHashMap<>();
  private final List<Consumer<Decision>> listeners = new CopyOnWriteArrayList<>();
  private final Counter skippedRounds;
  private DecisionLog decisions;
  private ControllerHttp http;
  private long timer = -1;

  private ControllerService(Vertx vertx, ControllerConfig config, TrafficSwitch traffic, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.traffic = traffic;
    this.clock = clock;
    this.controller = FailoverController.create(config.policy(), clock);
    for (ControllerConfig.Observer o : config.observers()) {
      observers.add(new ObserverClient(vertx, o, config.timeout()));
    }
    skippedRounds = Counter.builder("tandem.controller.rounds.skipped")
        .description("Poll rounds skipped because the previous one was still running").register(registry);
  }

  /** Starts polling and the HTTP endpoint; fails (and cleans up) if the log or the port cannot be opened. */
  public static Future<ControllerService> start(Vertx vertx, ControllerConfig config, TrafficSwitch traffic,
      Clock clock) {
    ControllerService s = new ControllerService(vertx, config, traffic, clock);
    return s.begin().recover(e -> s.stop().transform(x -> Future.failedFuture(e)));
  }

  private Future<ControllerService> begin() {
    // Allowed by allowMinorityQuorum, and said at every start so that nobody forgets it is on.
    config.minorityQuorumWarning().ifPresent(w -> log.warn("failover controller: {}", w));
    try {
      restoreLastSwitches();
      decisions = new DecisionLog(config.decisionLog());
    } catch (IOException e) {
      return Future.failedFuture(new IOException("cannot open the decision log " + config.decisionLog() + ": "
          + e.getMessage(), e));
    }
    bindMetrics();
    http = new ControllerHttp(vertx, config.api(), this);
    return startFromSwitch().compose(v -> http.start()).map(port -> {
      log.info("failover controller: {} observers, quorum {}, polling every {} ms; HTTP on {}:{}",
          observers.size(), config.quorum(), config.pollInterval().toMillis(), config.api().host(), port);
      timer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> round());
      return this;
    });
  }

  /**
   * The anti-flap period survives a restart: each domain's last switch is read back from the
   * decision log (append-only, so it holds every switch of every earlier run).
   */
  private void restoreLastSwitches() throws IOException {
    DecisionLog.Restored restored = DecisionLog.lastSwitches(config.decisionLog());
    for (DomainPolicy d : config.domains()) {
      Instant at = restored.lastSwitch().get(d.id());
      if (at != null) {
        controller.restoreLastSwitch(d.id(), at);
        log.info("domain {}: last switched at {} (from the decision log); anti-flap counts from then", d.id(), at);
      }
    }
    if (restored.skipped() > 0) {
      log.warn("decision log {}: {} line(s) could not be read while restoring the last switches", config.decisionLog(),
          restored.skipped());
    }
  }

  /** Takes the active cloud from the switch when it can tell, so a restarted controller starts from the truth. */
  private Future<Void> startFromSwitch() {
    List<Future<Void>> all = new ArrayList<>();
    for (DomainPolicy d : config.domains()) {
      all.add(Future.fromCompletionStage(traffic.active(d.id()), vertx.getOrCreateContext())
          .timeout(switchTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS) // a hung backend must not hang start
          .map(active -> {
            active.filter(c -> d.clouds().contains(c) && !c.equals(d.active())).ifPresent(c -> {
              log.info("domain {}: the traffic switch reports {} active (config says {})", d.id(), c, d.active());
              controller.adopt(d.id(), c);
            });
            return (Void) null;
          })
          .otherwise(e -> {
            log.warn("domain {}: cannot ask the traffic switch which cloud is active ({}); starting from {}",
                d.id(), ObserverClient.message(e), d.active());
            return null;
          }));
    }
    return Future.all(all).mapEmpty();
  }

  /** The port the HTTP endpoint listens on (the one the OS picked when the config says 0). */
  public int port() {
    return http.port();
  }

  /** The decision core: the active cloud and last switch of each domain as the controller knows them. */
  public FailoverController controller() {
    return controller;
  }

  /** The configuration the controller runs with. */
  public ControllerConfig config() {
    return config;
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Called with every decision (on the controller's event loop); the demo prints them. */
  public void addListener(Consumer<Decision> listener) {
    listeners.add(listener);
  }

  /** The latest decision for a domain. */
  public Optional<Decision> lastDecision(String domain) {
    return Optional.ofNullable(lastDecision.get(domain));
  }

  /** The domain's latest switch and its outage as the controller measured them. */
  public Optional<Recovery> recovery(String domain) {
    return Optional.ofNullable(recoveries.get(domain));
  }

  /** Closes or opens the admin gate (the gate file closes it too). */
  public void setGate(boolean closed, String why) {
    adminGate.set(closed ? Gate.closed("closed through the admin API: " + why) : Gate.open());
    log.warn("gating switch {} through the admin API{}", closed ? "closed" : "opened", closed ? ": " + why : "");
  }

  /** The gate as the next decision will see it. */
  public Gate gate() {
    Gate admin = adminGate.get();
    if (admin.closed()) {
      return admin;
    }
    if (gateFileExists.get()) {
      return Gate.closed("gate file " + config.gateFile().map(Object::toString).orElse("") + " exists");
    }
    return Gate.open();
  }

  boolean reachable(String observer) {
    return reachable.getOrDefault(observer, false);
  }

  Optional<String> lastProblem(String observer) {
    return Optional.ofNullable(lastProblem.get(observer));
  }

  List<ControllerConfig.Observer> observers() {
    return config.observers();
  }

  private void round() {
    if (stopped.get()) {
      return;
    }
    if (!polling.compareAndSet(false, true)) {
      skippedRounds.increment();
      return;
    }
    Future<Boolean> gateCheck = config.gateFile().isEmpty() ? Future.succeededFuture(false)
        : vertx.fileSystem().exists(config.gateFile().get().toString()).otherwise(true);
    boolean check = rounds.incrementAndGet() % RECONCILE_EVERY_ROUNDS == 0;
    gateCheck.compose(exists -> {
      gateFileExists.set(exists);
      List<Future<Void>> domains = new ArrayList<>();
      for (DomainPolicy d : config.domains()) {
        domains.add((check ? reconcile(d.id(), "periodic check") : Future.<Void>succeededFuture())
            .compose(v -> judge(d.id())));
      }
      return Future.join(domains);
    }).onComplete(ar -> {
      if (ar.failed()) {
        log.warn("controller round failed", ar.cause());
      }
      polling.set(false);
    });
  }

  private Future<Void> judge(String domain) {
    List<Future<ObserverReading>> reads = new ArrayList<>();
    for (ObserverClient c : observers) {
      reads.add(c.read(domain));
    }
    return Future.all(reads).compose(all -> {
      List<ObserverReading> readings = all.list();
      for (ObserverReading r : readings) {
        boolean ok = r.verdict().isPresent();
        reachable.put(r.observer(), ok);
        if (ok) {
          lastProblem.remove(r.observer());
        } else {
          lastProblem.put(r.observer(), r.problem());
        }
        registry.counter("tandem.controller.polls", "observer", r.observer(), "result", ok ? "ok" : "error")
            .increment();
      }
      track(domain, readings);
      retellStale(domain, readings);
      Decision d = controller.decide(domain, readings, gate());
      if (d.outcome() != Decision.Outcome.SWITCH) {
        record(d);
        return Future.succeededFuture();
      }
      log.warn("{}", d.explanation());
      // A switch that never answers must not stall the controller: after the bound it counts as
      // failed and the next poll decides again (activating the same cloud twice is harmless).
      return Future.fromCompletionStage(traffic.activate(domain, d.target()), vertx.getOrCreateContext())
          .timeout(switchTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .transform(ar -> {
            if (ar.succeeded()) {
              controller.switched(domain, d.target());
              onSwitched(domain, d, readings);
              record(d.executed(true, ""));
              reportToObservers(domain, d.target());
            } else {
              String why = ObserverClient.message(ar.cause());
              record(d.executed(false, why));
              // The call may have landed anyway (an answer lost, or still on its way after the
              // timeout): ask now, and the periodic check catches what lands later.
              return reconcile(domain, "after the switch to " + d.target() + " failed: " + why);
            }
            return Future.<Void>succeededFuture();
          });
    });
  }

  /**
   * Asks the traffic switch which cloud is active for {@code domain}; when that differs from the
   * controller's view, takes it (a RECONCILED decision, counted as a switch) and tells every
   * observer, so the controller, the observers and the traffic switch agree again. Never fails:
   * a switch that cannot tell, or cannot be reached within the timeout, changes nothing.
   */
  private Future<Void> reconcile(String domain, String why) {
    DomainPolicy policy = config.domains().stream().filter(p -> p.id().equals(domain)).findFirst().orElseThrow();
    return Future.fromCompletionStage(traffic.active(domain), vertx.getOrCreateContext())
        .timeout(config.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .map(reported -> {
          if (reported.isPresent() && !policy.clouds().contains(reported.get())) {
            reconcileProblem(domain, "the traffic switch reports " + reported.get() + " active, which is not one of "
                + policy.clouds() + "; the controller keeps " + controller.active(domain));
            return (Void) null;
          }
          lastReconcileProblem.remove(domain);
          reported.ifPresent(cloud -> {
            controller.reconcile(domain, cloud, why).ifPresent(d -> {
              log.warn("{}", d.explanation());
              record(d);
              reportToObservers(domain, cloud);
            });
          });
          return (Void) null;
        })
        .otherwise(e -> {
          reconcileProblem(domain, "cannot ask the traffic switch which cloud is active (" + why + "): "
              + ObserverClient.message(e));
          return null;
        });
  }

  /** Logs a reconciliation problem once, not at every check while it lasts. */
  private void reconcileProblem(String domain, String problem) {
    if (!problem.equals(lastReconcileProblem.put(domain, problem))) {
      log.warn("domain {}: {}", domain, problem);
    }
  }

  private long switchTimeoutMs() {
    return Math.max(10_000, config.timeout().toMillis() * 5);
  }

  private void record(Decision d) {
    lastDecision.put(d.domain(), d);
    registry.counter("tandem.controller.decisions", "domain", d.domain(), "outcome", d.outcome().name(),
        "reason", d.reason().name()).increment();
    // Every decision is counted; the log gets a line whenever the decision or a vote changes,
    // not one per poll while nothing does.
    if (!d.sameAs(lastLogged.get(d.domain()))) {
      lastLogged.put(d.domain(), d);
      decisions.decision(d);
      if (d.outcome() != Decision.Outcome.STAY) {
        log.info("{} {}: {}", d.outcome(), d.reason(), d.explanation());
      }
    }
    for (Consumer<Decision> l : listeners) {
      try {
        l.accept(d);
      } catch (RuntimeException e) {
        log.warn("decision listener failed", e);
      }
    }
  }

  /**
   * Follows outages: the first sighting of trouble with the active cloud (kept until the switch,
   * forgotten when every observer sees it healthy again), and after a switch the first round in
   * which a quorum sees the new active healthy.
   */
  private void track(String domain, List<ObserverReading> readings) {
    Instant now = clock.instant();
    String active = controller.active(domain);
    List<ObservedVerdict> fresh = readings.stream().flatMap(r -> r.verdict().stream())
        .filter(v -> !now.isAfter(v.validUntil()) && v.domain().equals(domain)).toList();
    boolean troubled = fresh.stream().anyMatch(v -> active.equals(v.active())
        && ("FAILOVER".equals(v.recommendation()) || "DEGRADED".equals(v.activeHealth())
            || "UNHEALTHY".equals(v.activeHealth())));
    long healthy = fresh.stream().filter(v -> active.equals(v.active()) && "HEALTHY".equals(v.activeHealth())).count();
    Recovery last = recoveries.get(domain);
    if (last != null && last.recoveredAt() == null && active.equals(last.to()) && healthy >= config.quorum()) {
      Recovery done = last.recovered(now);
      recoveries.put(domain, done);
      log.info("domain {}: {} observers see {} healthy: recovered {} ms after the trouble was first seen",
          domain, healthy, active, done.timeToRecover().orElseThrow().toMillis());
    }
    if (troubled) {
      troubleSeen.putIfAbsent(domain, now);
    } else if (!fresh.isEmpty() && healthy == fresh.size()) {
      troubleSeen.remove(domain); // every observer sees the active cloud healthy: nothing pending
    }
  }

  private void onSwitched(String domain, Decision d, List<ObserverReading> readings) {
    Instant now = clock.instant();
    Double lag = null;
    for (ObserverReading r : readings) {
      if (r.verdict().isEmpty()) {
        continue;
      }
      ObservedVerdict v = r.verdict().get();
      if ("FAILOVER".equals(v.recommendation()) && d.target().equals(v.standby()) && v.standbyLagSeconds() != null) {
        lag = lag == null ? v.standbyLagSeconds() : Math.max(lag, v.standbyLagSeconds());
      }
    }
    Instant seen = troubleSeen.remove(domain);
    recoveries.put(domain, new Recovery(domain, seen == null ? now : seen, null, null, null, null, null)
        .switched(now, d.active(), d.target(), lag));
  }

  private void reportToObservers(String domain, String cloud) {
    for (ObserverClient c : observers) {
      report(c, domain, cloud, 1);
    }
  }

  /**
   * Tells an observer the active cloud again when its verdict names another one: it was down or
   * unreachable when the switch was reported, or restarted with an older switch in memory. Its
   * probes would otherwise keep testing the wrong cloud, and its votes would never count.
   */
  private void retellStale(String domain, List<ObserverReading> readings) {
    String active = controller.active(domain);
    Instant now = clock.instant();
    for (int i = 0; i < readings.size() && i < observers.size(); i++) {
      ObserverClient c = observers.get(i);
      Optional<ObservedVerdict> v = readings.get(i).verdict();
      if (v.isEmpty() || v.get().active() == null || v.get().active().equals(active)) {
        continue;
      }
      String key = c.id() + "/" + domain;
      Instant last = toldAt.get(key);
      if (reporting.containsKey(key) || (last != null && now.isBefore(last.plus(RETELL_AFTER)))) {
        continue;
      }
      log.info("observer {} names {} active for {}, the controller {}: telling it again", c.id(), v.get().active(),
          domain, active);
      report(c, domain, active, 1);
    }
  }

  private void report(ObserverClient c, String domain, String cloud, int attempt) {
    if (stopped.get()) {
      return;
    }
    String key = c.id() + "/" + domain;
    reporting.put(key, true);
    toldAt.put(key, clock.instant());
    c.reportActive(domain, cloud, config.id()).onComplete(ar -> {
      reporting.remove(key);
      toldAt.put(key, clock.instant());
      if (ar.succeeded()) {
        decisions.report(clock.instant(), domain, c.id(), cloud, true, attempt, null);
        registry.counter("tandem.controller.reports", "observer", c.id(), "result", "ok").increment();
        return;
      }
      Throwable e = ar.cause();
      boolean retry = !(e instanceof ObserverClient.ReportRefused r) || r.retryable();
      if (retry && attempt < config.reportAttempts() && controller.active(domain).equals(cloud)) {
        long backoff = Math.min(MAX_BACKOFF_MS, 250L << Math.min(10, attempt - 1));
        registry.counter("tandem.controller.reports", "observer", c.id(), "result", "retried").increment();
        reporting.put(key, true); // still on its way: no re-telling in between
        vertx.setTimer(backoff, id -> {
          if (stopped.get()) {
            reporting.remove(key);
            return;
          }
          report(c, domain, cloud, attempt + 1);
        });
        return;
      }
      String why = ObserverClient.message(e);
      log.warn("could not report the switch of {} to {} to observer {} after {} attempt(s): {}", domain, cloud,
          c.id(), attempt, why);
      decisions.report(clock.instant(), domain, c.id(), cloud, false, attempt, why);
      registry.counter("tandem.controller.reports", "observer", c.id(), "result", "failed").increment();
    });
  }

  private void bindMetrics() {
    for (ControllerConfig.Observer o : config.observers()) {
      Gauge.builder("tandem.controller.observer.reachable", reachable, m -> m.getOrDefault(o.id(), false) ? 1 : 0)
          .description("1 when the observer's last verdict could be read, 0 otherwise")
          .tag("observer", o.id()).register(registry);
    }
    for (DomainPolicy d : config.domains()) {
      for (String cloud : d.clouds()) {
        Gauge.builder("tandem.controller.active", controller, c -> cloud.equals(c.active(d.id())) ? 1 : 0)
            .description("1 for the cloud the controller has made active, 0 for the others")
            .tag("domain", d.id()).tag("cloud", cloud).register(registry);
      }
      Gauge.builder("tandem.controller.last.switch.timestamp.seconds", controller, c -> {
        Instant at = c.lastSwitch(d.id());
        return at == null ? Double.NaN : at.toEpochMilli() / 1000.0;
      }).description("When the controller last switched the domain (Unix seconds); NaN if never")
          .tag("domain", d.id()).register(registry);
      Gauge.builder("tandem.controller.switch.seconds", recoveries, m -> seconds(m.get(d.id()), true))
          .description("Latest outage: from the first observer seeing the active cloud in trouble to the switch")
          .tag("domain", d.id()).register(registry);
      Gauge.builder("tandem.controller.rto.seconds", recoveries, m -> seconds(m.get(d.id()), false))
          .description("Latest outage: from the first sighting of trouble to a quorum seeing the new active"
              + " healthy (its journeys pass)")
          .tag("domain", d.id()).register(registry);
      Gauge.builder("tandem.controller.rpo.seconds", recoveries, m -> {
        Recovery r = m.get(d.id());
        return r == null || r.lagAtSwitchSeconds() == null ? Double.NaN : r.lagAtSwitchSeconds();
      }).description("Latest switch: the replication lag the voters reported for the new active at the switch")
          .tag("domain", d.id()).register(registry);
    }
    Gauge.builder("tandem.controller.gate.closed", this, s -> s.gate().closed() ? 1 : 0)
        .description("1 while the gating switch blocks every switch").register(registry);
    FunctionCounter.builder("tandem.controller.log.dropped", this, s -> s.decisions.dropped())
        .description("Decision log lines dropped because the writer fell behind").register(registry);
    FunctionCounter.builder("tandem.controller.log.write.failures", this, s -> s.decisions.writeFailures())
        .description("Failed decision log writes (a full disk); each is retried with backoff").register(registry);
  }

  private static double seconds(Recovery r, boolean toSwitch) {
    if (r == null) {
      return Double.NaN;
    }
    return (toSwitch ? r.timeToSwitch() : r.timeToRecover()).map(x -> x.toMillis() / 1000.0).orElse(Double.NaN);
  }

  /** Stops polling, closes the HTTP endpoint and the clients, and flushes the decision log. */
  public Future<Void> stop() {
    stopped.set(true);
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    List<Future<?>> stops = new ArrayList<>();
    if (http != null) {
      stops.add(http.stop());
    }
    observers.forEach(o -> stops.add(o.close()));
    Promise<Void> done = Promise.promise();
    Future.join(stops).onComplete(x -> vertx.executeBlocking(() -> {
      if (decisions != null) {
        decisions.close();
      }
      return null;
    }).onComplete(y -> done.complete()));
    return done.future();
  }
}
