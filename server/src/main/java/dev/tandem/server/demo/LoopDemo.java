package dev.tandem.server.demo;

import dev.tandem.controller.Decision;
import dev.tandem.controller.DomainPolicy;
import dev.tandem.controller.service.ControllerConfig;
import dev.tandem.controller.service.ControllerService;
import dev.tandem.controller.traffic.SimulatorTrafficSwitch;
import dev.tandem.controller.traffic.TrafficSwitch;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.server.TandemNode;
import dev.tandem.server.config.Secret;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.sim.CloudSettings;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import dev.tandem.synthetics.Journey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole loop in one process: the simulator (two clouds and the traffic manager), three
 * independent observers (one per cloud and one outside both, CONTRACTS.md {@code observer}), each
 * with its own vantages, telemetry paths, storage and API, and the reference failover controller
 * switching the traffic manager when a quorum of them agrees.
 *
 * <p>The first observer is the configuration as written (its ports, its storage folder); the
 * other two are derived from it: their own vantages (the same providers and regions, their own
 * ids), their own paths and API on ports the OS picks (or the API port + 1, + 2), their own
 * storage folder beside the first, no paging and no recording. The simulator exports every
 * cloud's telemetry to that cloud's path of every observer.
 */
public final class LoopDemo {
  private static final Logger log = LoggerFactory.getLogger(LoopDemo.class);
  /** The observers' ids and the cloud each one runs in. */
  public static final List<String> OBSERVERS = List.of("obs-primary", "obs-secondary", "obs-external");

  private final Vertx vertx;
  private final TandemConfig base;
  private final Clock clock;
  private final DomainSpec domain;
  private final List<TandemConfig> configs = new ArrayList<>();
  private final List<TandemNode> nodes = new ArrayList<>();
  private final String token = newToken();
  private final AtomicReference<Instant> faultAt = new AtomicReference<>();
  private final AtomicReference<Switch> lastSwitch = new AtomicReference<>();
  private PlatformSimulator sim;
  private ControllerService controller;
  private SimulatorTrafficSwitch simSwitch;
  private CustomerTraffic customers;
  private final ShiftableClock vantageClock;
  private Optional<String> outsideVantage = Optional.empty();
  /** Touched by the caller and by timers on an event loop. */
  private final List<Long> scenarioTimers = new java.util.concurrent.CopyOnWriteArrayList<>();

  private static String newToken() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes); // generateSeed would read the entropy source itself, and may block
    return HexFormat.of().formatHex(bytes);
  }

  /** A customer's order-to-invoice journey through the public endpoint: when it ran and which cloud invoiced it. */
  public record CustomerJourney(Instant started, Instant finished, String cloud) {}

  /** A switch as the demo saw it: when, to where, and the new active's replication lag just before. */
  public record Switch(Instant at, String from, String to, OptionalDouble lagSeconds) {}

  private LoopDemo(Vertx vertx, TandemConfig base, Map<String, Journey> journeys, List<SloSpec> slos, Clock clock) {
    this.vertx = vertx;
    this.base = base;
    this.clock = clock;
    this.domain = base.domains().get(0);
    this.vantageClock = new ShiftableClock(clock);
    for (int i = 0; i < OBSERVERS.size(); i++) {
      TandemConfig c = observerConfig(i);
      configs.add(c);
      TandemNode.Overrides overrides = TandemNode.Overrides.deferredSynthetics();
      if (i == 0) {
        outsideVantage = outsideVantage(c);
        if (outsideVantage.isPresent()) {
          // Its probes read a clock the clock-ahead scenario can shift (a demo facility, not configuration).
          overrides = overrides.withProbeClock(outsideVantage.get(), vantageClock);
        }
      }
      nodes.add(TandemNode.create(vertx, c, journeys, slos, clock, overrides));
    }
  }

  /**
   * The vantage the vantage scenarios act on: the first observer's first vantage outside both
   * clouds ({@code ext-1} in the demo), else its first vantage.
   */
  static Optional<String> outsideVantage(TandemConfig c) {
    List<VantageSpec> vantages = c.synthetics().map(TandemConfig.Synthetics::vantages).orElse(List.of());
    return vantages.stream().filter(v -> !c.cloudRegions().containsKey(v.provider())).findFirst()
        .or(() -> vantages.stream().findFirst()).map(VantageSpec::id);
  }

  /**
   * Starts the observers' collectors and APIs, then the simulator (which exports to them), then
   * the probes, the controller and the customer traffic.
   */
  public static Future<LoopDemo> start(Vertx vertx, TandemConfig config, Map<String, Journey> journeys,
      List<SloSpec> slos, Clock clock, Map<String, Integer> simPorts) {
    if (config.cloudRegions().size() != 2 || config.domains().isEmpty()) {
      return Future.failedFuture("the demo needs exactly two clouds and a failover domain");
    }
    LoopDemo demo = new LoopDemo(vertx, config, journeys, slos, clock);
    Future<Void> nodesUp = Future.succeededFuture();
    for (TandemNode n : demo.nodes) {
      nodesUp = nodesUp.compose(x -> n.start().mapEmpty());
    }
    return nodesUp
        .compose(v -> demo.startSim(simPorts))
        .compose(v -> {
          Future<Void> probes = Future.succeededFuture();
          for (TandemNode n : demo.nodes) {
            probes = probes.compose(x -> n.startSynthetics(demo.simTargets()));
          }
          return probes;
        })
        .compose(v -> {
          // Before the controller: a switch completing at its first poll tells the customers.
          demo.customers = new CustomerTraffic(vertx, demo.sim.trafficUrl(), clock);
          return demo.startController();
        })
        .map(v -> {
          demo.customers.start();
          return demo;
        })
        .recover(e -> demo.stop().transform(x -> Future.failedFuture(e)));
  }

  private TandemConfig observerConfig(int i) {
    String id = OBSERVERS.get(i);
    String cloud = i == 0 ? domain.active() : i == 1 ? domain.standby() : "external";
    TandemConfig b = base;
    List<Secret> admin = new ArrayList<>(b.api().adminTokens());
    admin.add(new Secret(token));
    if (i == 0) {
      return new TandemConfig(b.file(), new TandemConfig.Observer(id, cloud), b.cloudRegions(), b.domains(),
          b.paths(), b.synthetics(), b.sloFiles(), b.engine(), b.pagerDuty(), b.storage(),
          new TandemConfig.Api(b.api().host(), b.api().port(), b.api().readTokens(), admin), b.recording(),
          b.references(), b.maintenance(), b.roles(), b.pagingFlap());
    }
    String prefix = id.substring("obs-".length()) + "-";
    List<TandemConfig.PathConfig> paths = b.paths().stream().map(p -> new TandemConfig.PathConfig(p.id(), p.cloud(),
        new TandemConfig.Otlp(p.otlp().host(), 0, -1), p.tokens())).toList();
    Optional<TandemConfig.Synthetics> synthetics = b.synthetics().map(s -> new TandemConfig.Synthetics(
        s.intervalSeconds(), s.timeoutSeconds(),
        s.vantages().stream().map(v -> new VantageSpec(prefix + v.id(), v.provider(), v.region())).toList(),
        s.targets(), s.journeyFiles(), Optional.empty(), List.of()));
    Path dir = b.storage().dir();
    Path own = dir.resolveSibling(dir.getFileName() + "-" + id);
    int apiPort = b.api().port() == 0 ? 0 : b.api().port() + i;
    return new TandemConfig(b.file(), new TandemConfig.Observer(id, cloud), b.cloudRegions(), b.domains(), paths,
        synthetics, b.sloFiles(), b.engine(), Optional.empty(), new TandemConfig.Storage(own, Optional.empty()),
        new TandemConfig.Api(b.api().host(), apiPort, b.api().readTokens(), admin), Optional.empty(),
        b.references(), b.maintenance(), b.roles(), b.pagingFlap());
  }

  private Future<Void> startSim(Map<String, Integer> simPorts) {
    SimSettings settings = SimSettings.builder()
        .primary(cloudSettings(domain.active(), simPorts))
        .secondary(cloudSettings(domain.standby(), simPorts))
        .domainId(domain.id())
        .clock(clock)
        .build();
    sim = PlatformSimulator.create(vertx, settings);
    return sim.start();
  }

  private CloudSettings cloudSettings(String cloud, Map<String, Integer> simPorts) {
    List<String> endpoints = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      for (TandemConfig.PathConfig p : configs.get(i).paths()) {
        if (p.cloud().equals(cloud)) {
          endpoints.add("http://" + p.otlp().host() + ":" + nodes.get(i).pathPorts().get(p.id()));
        }
      }
    }
    return new CloudSettings(cloud, base.cloudRegions().getOrDefault(cloud, ""), simPorts.getOrDefault(cloud, 0),
        endpoints.isEmpty() ? null : endpoints.get(0), endpoints.isEmpty() ? List.of() : endpoints.subList(1,
            endpoints.size()));
  }

  private Map<String, String> simTargets() {
    Map<String, String> targets = new LinkedHashMap<>();
    for (String cloud : sim.clouds()) {
      targets.put(cloud, sim.baseUrl(cloud));
    }
    return targets;
  }

  private Future<Void> startController() {
    List<ControllerConfig.Observer> observers = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      observers.add(new ControllerConfig.Observer(OBSERVERS.get(i), "http://" + configs.get(i).api().host() + ":"
          + nodes.get(i).apiPort(), Optional.of(dev.tandem.controller.service.Token.of(token))));
    }
    Path dir = base.storage().dir();
    Path own = dir.resolveSibling(dir.getFileName() + "-controller");
    long pollMs = Math.min(2_000, base.engine().tickSeconds() * 1000L);
    int apiPort = base.api().port() == 0 ? 0 : base.api().port() + 10;
    ControllerConfig config = new ControllerConfig(base.file(), observers,
        List.of(new DomainPolicy(domain.id(), List.of(domain.active(), domain.standby()), domain.active())), 2,
        Duration.ofMillis(pollMs), Duration.ofSeconds(2), Duration.ofSeconds(base.engine().antiFlapSeconds()),
        Optional.of(own.resolve("gate")), "http://unused", own.resolve("decisions.jsonl"), 5,
        new ControllerConfig.Api(base.api().host(), apiPort, Optional.empty()));
    simSwitch = SimulatorTrafficSwitch.create(vertx, sim.adminUrl(), Duration.ofSeconds(2));
    TrafficSwitch measured = new TrafficSwitch() {
      @Override
      public CompletionStage<Void> activate(String d, String cloud) {
        // The data at risk is what the new active had not yet received when traffic moved to it.
        Switch s = new Switch(clock.instant(), sim.active(), cloud, sim.replicationLagSeconds(cloud));
        return simSwitch.activate(d, cloud).thenRun(() -> {
          lastSwitch.set(s);
          customers.watch(s.at(), cloud);
        });
      }

      @Override
      public CompletionStage<Optional<String>> active(String d) {
        return simSwitch.active(d);
      }
    };
    return ControllerService.start(vertx, config, measured, clock).map(c -> {
      controller = c;
      return null;
    });
  }

  /** Schedules the scenario's fault {@code after} from now, and the later changes of its timeline. */
  public void play(Scenario scenario, Duration after) {
    scenarioTimers.add(vertx.setTimer(Math.max(1, after.toMillis()), id -> {
      String active = controller.controller().active(domain.id());
      String standby = active.equals(domain.active()) ? domain.standby() : domain.active();
      log.info("scenario {}: injecting the fault now: {}", scenario.id(), scenario.fault());
      faultAt.set(clock.instant());
      List<String> partitioned = configs.get(2).synthetics().map(s -> s.vantages().stream()
          .map(VantageSpec::id).toList()).orElse(List.of());
      Scenario.Stage stage = new Scenario.Stage(sim, active, standby, partitioned, outsideVantage.orElse("ext-1"),
          outsideVantage.map(v -> vantageClock));
      scenario.inject(stage);
      if (scenario.stopsActivePath()) {
        for (int i = 0; i < nodes.size(); i++) {
          TandemNode n = nodes.get(i);
          configs.get(i).paths().stream().filter(p -> p.cloud().equals(active)).forEach(p -> n.stopPath(p.id()));
        }
      }
      for (Scenario.Change c : scenario.later()) {
        scenarioTimers.add(vertx.setTimer(Math.max(1, c.at().toMillis()), t -> {
          log.info("scenario {}: +{} s: {}", scenario.id(), c.at().toSeconds(), c.what());
          c.action().accept(stage);
        }));
      }
    }));
  }

  /** The observers, in {@link #OBSERVERS} order. */
  public List<TandemNode> observers() {
    return List.copyOf(nodes);
  }

  public List<TandemConfig> observerConfigs() {
    return List.copyOf(configs);
  }

  public ControllerService controller() {
    return controller;
  }

  public PlatformSimulator sim() {
    return sim;
  }

  public String domain() {
    return domain.id();
  }

  /** When the scenario's fault was injected. */
  public Optional<Instant> faultAt() {
    return Optional.ofNullable(faultAt.get());
  }

  /** The controller's latest switch as the demo measured it. */
  public Optional<Switch> lastSwitch() {
    return Optional.ofNullable(lastSwitch.get());
  }

  /** The first customer order-to-invoice journey that completed on the new active after the latest switch. */
  public Optional<CustomerJourney> firstJourneyOnNewActive() {
    return customers == null ? Optional.empty() : customers.firstOnWatchedCloud();
  }

  /**
   * The measured recovery, one line each, once the switch and the first journey on the new active
   * happened; empty before.
   */
  public Optional<List<String>> figures() {
    Instant fault = faultAt.get();
    Switch s = lastSwitch.get();
    Optional<CustomerJourney> journey = firstJourneyOnNewActive();
    if (fault == null || s == null || journey.isEmpty()) {
      return Optional.empty();
    }
    List<String> lines = new ArrayList<>();
    lines.add(String.format(java.util.Locale.ROOT, "outage to switch: %.1f s (the controller switched %s from %s to %s)",
        seconds(fault, s.at()), domain.id(), s.from(), s.to()));
    lines.add(String.format(java.util.Locale.ROOT,
        "outage to the first order-to-invoice journey completed on %s (RTO): %.1f s", s.to(),
        seconds(fault, journey.get().finished())));
    lines.add(s.lagSeconds().isPresent()
        ? String.format(java.util.Locale.ROOT, "replication lag of %s at the switch (RPO, data at risk): %.1f s",
            s.to(), s.lagSeconds().getAsDouble())
        : "replication lag at the switch: not reported");
    return Optional.of(lines);
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  /** Decisions of the controller, for printing. */
  public void onDecision(java.util.function.Consumer<Decision> listener) {
    controller.addListener(listener);
  }

  public Future<Void> stop() {
    scenarioTimers.forEach(vertx::cancelTimer);
    if (customers != null) {
      customers.stop();
    }
    Future<Void> c = controller == null ? Future.succeededFuture() : controller.stop();
    return c.transform(x -> simSwitch == null ? Future.succeededFuture() : simSwitch.close())
        .transform(x -> sim == null ? Future.succeededFuture() : sim.stop())
        .transform(x -> {
          List<Future<Void>> stops = new ArrayList<>();
          nodes.forEach(n -> stops.add(n.stop()));
          return Future.join(stops).mapEmpty();
        });
  }
}
