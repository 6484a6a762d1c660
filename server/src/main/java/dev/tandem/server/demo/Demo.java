package dev.tandem.server.demo;

import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.server.TandemNode;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.sim.CloudSettings;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import dev.tandem.synthetics.Journey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system in one process (CONTRACTS.md, {@code demo}): the platform simulator's two
 * clouds, the two telemetry paths, probes from every vantage, the engine and the API, plus an
 * optional scripted fault.
 */
public final class Demo {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);

  private final Vertx vertx;
  private final TandemConfig config;
  private final TandemNode node;
  private final Clock clock;
  private PlatformSimulator sim;
  private final ShiftableClock vantageClock;
  private final Optional<String> outsideVantage;
  /** Touched by the caller and by timers on an event loop. */
  private final List<Long> scenarioTimers = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Demo(Vertx vertx, TandemConfig config, Map<String, Journey> journeys, List<SloSpec> slos, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
    this.vantageClock = new ShiftableClock(clock);
    this.outsideVantage = LoopDemo.outsideVantage(config);
    TandemNode.Overrides overrides = TandemNode.Overrides.deferredSynthetics();
    if (outsideVantage.isPresent()) {
      // Its probes read a clock the clock-ahead scenario can shift (a demo facility, not configuration).
      overrides = overrides.withProbeClock(outsideVantage.get(), vantageClock);
    }
    this.node = TandemNode.create(vertx, config, journeys, slos, clock, overrides);
  }

  /**
   * Starts everything: collectors first (the simulator exports to them), then the simulator,
   * then the probes against it.
   *
   * @param simPorts listen ports per cloud for the simulator; 0 lets the OS choose
   */
  public static Future<Demo> start(Vertx vertx, TandemConfig config, Map<String, Journey> journeys,
      List<SloSpec> slos, Clock clock, Map<String, Integer> simPorts) {
    Demo demo = new Demo(vertx, config, journeys, slos, clock);
    return demo.node.start()
        .compose(n -> demo.startSim(simPorts))
        .compose(v -> demo.node.startSynthetics(demo.simTargets()))
        .map(v -> demo)
        .recover(e -> demo.stop().transform(x -> Future.failedFuture(e)));
  }

  /** The simulator's ports as the config's synthetics targets name them (the demo config's 9001/9002). */
  public static Map<String, Integer> portsFromTargets(TandemConfig config) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    config.synthetics().ifPresent(s -> s.targets().forEach((cloud, url) -> {
      int port = URI.create(url).getPort();
      ports.put(cloud, port < 0 ? 0 : port);
    }));
    return ports;
  }

  private Future<Void> startSim(Map<String, Integer> simPorts) {
    if (config.cloudRegions().size() != 2 || config.domains().isEmpty()) {
      return Future.failedFuture("the demo needs exactly two clouds and a failover domain");
    }
    DomainSpec domain = config.domains().get(0);
    String primary = domain.active();
    String secondary = domain.standby();
    SimSettings settings = SimSettings.builder()
        .primary(cloudSettings(primary, simPorts))
        .secondary(cloudSettings(secondary, simPorts))
        .domainId(domain.id())
        .clock(clock)
        .build();
    sim = PlatformSimulator.create(vertx, settings);
    return sim.start();
  }

  private CloudSettings cloudSettings(String cloud, Map<String, Integer> simPorts) {
    Optional<TandemConfig.PathConfig> path = config.paths().stream().filter(p -> p.cloud().equals(cloud)).findFirst();
    String endpoint = path.map(p -> "http://" + p.otlp().host() + ":" + node.pathPorts().get(p.id())).orElse(null);
    return new CloudSettings(cloud, config.cloudRegions().getOrDefault(cloud, ""),
        simPorts.getOrDefault(cloud, 0), endpoint);
  }

  private Map<String, String> simTargets() {
    Map<String, String> targets = new LinkedHashMap<>();
    for (String cloud : sim.clouds()) {
      targets.put(cloud, sim.baseUrl(cloud));
    }
    return targets;
  }

  /** Schedules the scenario's fault {@code after} from now, and the later changes of its timeline. */
  public void play(Scenario scenario, Duration after) {
    DomainSpec domain = config.domains().get(0);
    scenarioTimers.add(vertx.setTimer(Math.max(1, after.toMillis()), id -> {
      String active = node.engine().activeCloud(domain.id());
      String standby = active.equals(domain.active()) ? domain.standby() : domain.active();
      log.info("scenario {}: injecting the fault now: {}", scenario.id(), scenario.fault());
      // One observer here: a partition cuts off all its vantages (with the loop demo, only obs-external's).
      Scenario.Stage stage = new Scenario.Stage(sim, active, standby, config.synthetics()
          .map(sy -> sy.vantages().stream().map(v -> v.id()).toList()).orElse(List.of()),
          outsideVantage.orElse("ext-1"), outsideVantage.map(v -> vantageClock));
      scenario.inject(stage);
      if (scenario.stopsActivePath()) {
        config.paths().stream().filter(p -> p.cloud().equals(active)).forEach(p -> node.stopPath(p.id()));
      }
      for (Scenario.Change c : scenario.later()) {
        scenarioTimers.add(vertx.setTimer(Math.max(1, c.at().toMillis()), t -> {
          log.info("scenario {}: +{} s: {}", scenario.id(), c.at().toSeconds(), c.what());
          c.action().accept(stage);
        }));
      }
    }));
  }

  public TandemNode node() {
    return node;
  }

  public PlatformSimulator sim() {
    return sim;
  }

  public Future<Void> stop() {
    scenarioTimers.forEach(vertx::cancelTimer);
    Future<Void> simStop = sim == null ? Future.succeededFuture() : sim.stop();
    return simStop.transform(x -> node.stop());
  }
}
