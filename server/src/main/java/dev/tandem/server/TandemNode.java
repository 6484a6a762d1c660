package dev.tandem.server;

import dev.tandem.collectors.CumulativeSeries;
import dev.tandem.collectors.OtlpHttpReceiver;
import dev.tandem.collectors.PathSettings;
import dev.tandem.collectors.SpanDeduplicator;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.budget.SloStatus;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.judge.VerdictEngine;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.ProbeDeduplicator;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.verdict.ObserverIdentity;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.engine.verdict.VerdictJson;
import dev.tandem.server.api.ApiServer;
import dev.tandem.server.config.Secret;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.storage.InfluxSink;
import dev.tandem.server.storage.JsonLinesWriter;
import dev.tandem.server.storage.ObservationRecorder;
import dev.tandem.server.storage.SloStateStore;
import dev.tandem.server.storage.StorageDir;
import dev.tandem.server.storage.WriterHealth;
import dev.tandem.synthetics.Journey;
import dev.tandem.synthetics.ProbeNode;
import dev.tandem.synthetics.ProbeSettings;
import dev.tandem.synthetics.ProbeTelemetry;
import dev.tandem.synthetics.Vantage;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Tandem process, wired from its configuration: the collector paths, the synthetic probes,
 * the engine and the API run when the configuration asks for them (paths, synthetics, domains).
 */
public final class TandemNode {
  private static final Logger log = LoggerFactory.getLogger(TandemNode.class);
  /** How often the SLO state is snapshotted; the journal covers the time in between. */
  static final Duration SNAPSHOT_EVERY = Duration.ofSeconds(60);

  /**
   * What the caller may change about a config when starting a node (the demo and tests do; none of
   * it is configuration).
   *
   * @param deferSynthetics synthetics wait for {@link TandemNode#startSynthetics(Map)}
   * @param files what the durable stores write through
   * @param probeClocks per vantage id, the clock that vantage's probes read instead of the node's:
   *     a test and demo facility to play a vantage whose clock is wrong (its results are stamped
   *     by that clock, in the observation and in the exported spans alike)
   */
  public record Overrides(boolean deferSynthetics, dev.tandem.server.storage.FileOpener files,
      Map<String, Clock> probeClocks) {
    public Overrides {
      java.util.Objects.requireNonNull(files, "files");
      probeClocks = Map.copyOf(probeClocks);
    }

    public Overrides(boolean deferSynthetics, dev.tandem.server.storage.FileOpener files) {
      this(deferSynthetics, files, Map.of());
    }

    public static Overrides none() {
      return new Overrides(false, dev.tandem.server.storage.FileOpener.system());
    }

    /** Synthetics wait for {@link TandemNode#startSynthetics(Map)}: the demo starts its targets later. */
    public static Overrides deferredSynthetics() {
      return new Overrides(true, dev.tandem.server.storage.FileOpener.system());
    }

    /** The durable stores (journal, snapshot, outbox, audit log) write through {@code value} (tests: a full disk). */
    public Overrides withFiles(dev.tandem.server.storage.FileOpener value) {
      return new Overrides(deferSynthetics, value, probeClocks);
    }

    /** A copy where the probes of {@code vantage} read {@code probeClock} (a test and demo facility). */
    public Overrides withProbeClock(String vantage, Clock probeClock) {
      Map<String, Clock> clocks = new LinkedHashMap<>(probeClocks);
      clocks.put(java.util.Objects.requireNonNull(vantage, "vantage"),
          java.util.Objects.requireNonNull(probeClock, "probeClock"));
      return new Overrides(deferSynthetics, files, clocks);
    }
  }

  private final Vertx vertx;
  private final TandemConfig config;
  private final Map<String, Journey> journeys;
  private final Clock clock;
  private final Overrides overrides;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<OtlpHttpReceiver> receivers = new ArrayList<>();
  private final Map<String, Integer> pathPorts = new LinkedHashMap<>();
  private final Map<String, Integer> pathGrpcPorts = new LinkedHashMap<>();
  private final AtomicBoolean ready = new AtomicBoolean();
  private final VerdictEngine engine;
  private final SloEngine slos;
  private final ProbeDeduplicator probeDedup = new ProbeDeduplicator(ProbeDeduplicator.DEFAULT_CAPACITY);
  private final dev.tandem.server.api.StatusBoard board;
  private SloStateStore sloState;
  private FailoverMemory memory;
  private VerdictStreamFollower follower;
  private long snapshotTimer = -1;
  private StorageDir storage;
  private JsonLinesWriter audit;
  private dev.tandem.server.paging.Pager pager;
  private ObservationRecorder recording;
  private InfluxSink influx;
  private ObservationSink sink;
  /** The probe nodes: one, plus one per vantage with a clock of its own ({@link Overrides#probeClocks()}). */
  private final List<ProbeNode> probes = new ArrayList<>();
  private ApiServer api;
  private int apiPort = -1;
  private long tickTimer = -1;

  private TandemNode(Vertx vertx, TandemConfig config, Map<String, Journey> journeys,
      List<SloSpec> sloSpecs, Clock clock, Overrides overrides) {
    this.vertx = vertx;
    this.config = config;
    this.journeys = Map.copyOf(journeys);
    this.clock = clock;
    this.overrides = overrides;
    this.engine = VerdictEngine.create(engineSpec(config), clock);
    this.slos = new SloEngine(sloSpecs, List.copyOf(config.cloudRegions().keySet()), clock);
    this.board = new dev.tandem.server.api.StatusBoard(clock);
    this.engine.setSloSignals(slos::pageTierFiring);
    this.slos.setMaxClockSkew(Duration.ofSeconds(config.engine().maxClockSkewSeconds()));
    config.maintenance().forEach(m -> slos.addMaintenance(m.window()));
    List<String> vantages = config.synthetics().map(sy -> sy.vantages().stream().map(VantageSpec::id).toList())
        .orElse(List.of());
    for (String v : overrides.probeClocks().keySet()) {
      if (!vantages.contains(v)) {
        throw new IllegalArgumentException("a probe clock for vantage '" + v + "', which is not one of "
            + config.observer().id() + "'s vantages " + vantages);
      }
    }
  }

  public static TandemNode create(Vertx vertx, TandemConfig config, Map<String, Journey> journeys,
      List<SloSpec> sloSpecs, Clock clock, Overrides overrides) {
    return new TandemNode(vertx, config, journeys, sloSpecs, clock, overrides);
  }

  /** Starts a node from a validated configuration. */
  public static TandemNode create(Vertx vertx, dev.tandem.server.config.Validation.Result valid, Clock clock,
      Overrides overrides) {
    return create(vertx, valid.config().orElseThrow(), valid.journeys(), valid.sloSpecs(), clock, overrides);
  }

  public static EngineSpec engineSpec(TandemConfig c) {
    TandemConfig.Engine e = c.engine();
    List<VantageSpec> vantages = c.synthetics().map(TandemConfig.Synthetics::vantages).orElse(List.of());
    List<PathSpec> paths = c.paths().stream().map(p -> new PathSpec(p.id(), p.cloud())).toList();
    return new EngineSpec(new ObserverIdentity(c.observer().id(), c.observer().cloud()),
        List.copyOf(c.cloudRegions().keySet()), c.domains(), vantages, paths,
        new EngineSettings(Duration.ofSeconds(e.tickSeconds()), Duration.ofSeconds(e.holdDownSeconds()),
            e.quorum(), Duration.ofSeconds(e.probeWindowSeconds()), Duration.ofSeconds(e.pathSilenceSeconds()),
            Duration.ofSeconds(e.replicationStalenessSeconds()), Duration.ofSeconds(e.antiFlapSeconds()),
            e.brownoutErrorRate(), Duration.ofSeconds(e.maxClockSkewSeconds()),
            Duration.ofSeconds(e.recentWindowSeconds()), Duration.ofSeconds(e.vantageWindowSeconds())));
  }

  public VerdictEngine engine() {
    return engine;
  }

  public SloEngine slos() {
    return slos;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public int apiPort() {
    return apiPort;
  }

  /** Bound OTLP/HTTP port per path id. */
  public Map<String, Integer> pathPorts() {
    return Map.copyOf(pathPorts);
  }

  /** Bound OTLP/gRPC port per path id (paths with gRPC only). */
  public Map<String, Integer> pathGrpcPorts() {
    return Map.copyOf(pathGrpcPorts);
  }

  /**
   * Stops one path's receiver, as if its collector or its network died: its senders get
   * connection refused and its heartbeats stop (the demo's telemetry-path-loss scenario).
   */
  public Future<Void> stopPath(String pathId) {
    for (OtlpHttpReceiver r : receivers) {
      if (r.settings().id().equals(pathId)) {
        log.warn("telemetry path {} stopped on request", pathId);
        return r.stop();
      }
    }
    return Future.failedFuture("no path " + pathId);
  }

  public ObservationSink sink() {
    return sink;
  }

  /**
   * Reported switches and maintenance windows: applied to the engines, kept in
   * {@code storage.dir} and written to the recording. Available once started.
   */
  public dev.tandem.server.api.ApiChanges changes() {
    return memory;
  }

  /** Starts every role the configuration asks for; fails (and cleans up) if one cannot start. */
  public Future<TandemNode> start() {
    try {
      storage = StorageDir.open(config.storage().dir());
      audit = new JsonLinesWriter(storage.resolve("audit.jsonl"), JsonLinesWriter.DEFAULT_CAPACITY, "audit",
          JsonLinesWriter.DEFAULT_SYNC_EVERY, overrides.files(), clock);
      if (config.recording().isPresent()) {
        // A probe step is stamped when it starts and may take its timeout three times (retries).
        long timeout = config.synthetics().map(TandemConfig.Synthetics::timeoutSeconds).orElse(5);
        Duration lateness = Duration.ofSeconds(Math.max(ObservationRecorder.DEFAULT_LATENESS.toSeconds(),
            4 * timeout + 5));
        recording = new ObservationRecorder(config.recording().get(), clock, lateness,
            Duration.ofSeconds(config.engine().maxClockSkewSeconds()));
      }
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    try {
      // Before the SLO state: the journal is judged against the windows, as it was live.
      ObservationRecorder rec = recording;
      memory = FailoverMemory.open(storage.path(), overrides.files(), clock, engine, slos,
          rec == null ? o -> { } : rec, config.maintenance().stream().map(m -> m.window().id())
              .collect(java.util.stream.Collectors.toSet()));
      sloState = SloStateStore.open(storage.resolve("slo-state"), slos, engine, overrides.files(), clock);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    List<ObservationSink> sinks = new ArrayList<>();
    sinks.add(engine);
    sinks.add(sloState);
    sinks.add(board);
    if (recording != null) {
      sinks.add(recording);
    }
    if (config.storage().influx().isPresent()) {
      try {
        influx = InfluxSink.start(config.storage().influx().get(), storage.resolve("influx-spill"),
            dev.tandem.server.storage.InfluxLimits.defaults(), registry, clock,
            dev.tandem.server.storage.InfluxTagValues.from(config, journeys.values(), slos.specs()));
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
      sinks.add(influx);
    }
    sink = new ObservationFanout(sinks, registry, probeDedup);
    bindMetrics();
    bindJudgeMetrics();
    VerdictJson verdictJson = new VerdictJson(new com.fasterxml.jackson.databind.ObjectMapper());
    engine.addListener((prev, next) -> {
      audit.append(auditLine(verdictJson, prev, next));
      if (prev == null || prev.recommendation() != next.recommendation()) {
        log.info("verdict {}: {} ({})", next.domain(), next.recommendation(), next.reason());
      }
    });

    // Paging: verdict and burn-rate changes -> policy -> durable outbox -> PagerDuty; all audited.
    if (config.runs(TandemConfig.Role.ENGINE)) {
      try {
        pager = dev.tandem.server.paging.Pager.start(vertx, config.pagerDuty(), storage.resolve("paging"),
            dev.tandem.engine.paging.PagingPolicy.create(engine.spec(), clock, config.pagingFlap()), audit::append,
            registry, clock, dev.tandem.server.paging.SenderSettings.defaults(), config.observer().id(),
            overrides.files());
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
      dev.tandem.server.paging.Pager p = pager;
      engine.addListener(p::onVerdict);
      slos.addListener(p::onSloAlert);
    }
    bindStorageMetrics();

    return startCollectors()
        .compose(v -> overrides.deferSynthetics() || !config.runs(TandemConfig.Role.SYNTHETICS)
            ? Future.succeededFuture()
            : startSynthetics(config.synthetics().map(TandemConfig.Synthetics::targets).orElse(Map.of())))
        .compose(v -> startApi())
        .map(v -> {
          if (!config.runs(TandemConfig.Role.ENGINE)) {
            config.synthetics().flatMap(TandemConfig.Synthetics::follow).ifPresent(this::follow);
            ready.set(true);
            return this;
          }
          engine.evaluate();
          tickTimer = vertx.setPeriodic(config.engine().tickSeconds() * 1000L, id -> tick());
          snapshotTimer = vertx.setPeriodic(SNAPSHOT_EVERY.toMillis(), id -> vertx.executeBlocking(() -> {
            sloState.snapshot();
            return null;
          }).onFailure(e -> log.error("SLO state: snapshot failed", e)));
          ready.set(true);
          return this;
        })
        .recover(e -> stop().transform(x -> Future.failedFuture(e)));
  }

  private void tick() {
    List<SloStatus> statuses = slos.evaluate();
    List<Verdict> verdicts = engine.evaluate();
    if (pager != null) {
      pager.evaluated();
    }
    if (influx != null) {
      influx.sloStatuses(statuses);
      verdicts.forEach(influx::verdict);
    }
  }

  private Future<Void> startCollectors() {
    if (config.paths().isEmpty() || !config.runs(TandemConfig.Role.COLLECTOR)) {
      return Future.succeededFuture();
    }
    SpanDeduplicator dedup = SpanDeduplicator.create(clock);
    CumulativeSeries series = CumulativeSeries.create(clock);
    Map<String, List<String>> replication = new LinkedHashMap<>();
    config.domains().forEach(d -> replication.computeIfAbsent(d.replicationLagMetric(), k -> new ArrayList<>()).add(d.id()));
    List<Future<Integer>> started = new ArrayList<>();
    for (TandemConfig.PathConfig p : config.paths()) {
      PathSettings settings = new PathSettings(p.id(), p.cloud(), p.otlp().host(), p.otlp().httpPort(),
          p.tokens().stream().map(Secret::reveal).toList(), replication)
          .withGrpcPort(p.otlp().grpcPort() < 0 ? PathSettings.NO_GRPC : p.otlp().grpcPort());
      OtlpHttpReceiver receiver = OtlpHttpReceiver.create(settings, vertx, sink, clock, dedup, series);
      receivers.add(receiver);
      started.add(receiver.start().onSuccess(port -> {
        pathPorts.put(p.id(), port);
        if (receiver.grpcPort() > 0) {
          pathGrpcPorts.put(p.id(), receiver.grpcPort());
        }
        log.info("telemetry path {} ({}) listening for OTLP/HTTP on {}:{}{}", p.id(), p.cloud(), p.otlp().host(), port,
            receiver.grpcPort() > 0 ? " and OTLP/gRPC on port " + receiver.grpcPort() : "");
      }));
    }
    return Future.all(started).onSuccess(x -> bindReceiverMetrics()).mapEmpty();
  }

  /** Starts the probes against {@code targets} (cloud id to base URL). */
  public Future<Void> startSynthetics(Map<String, String> targets) {
    if (config.synthetics().isEmpty() || journeys.isEmpty() || !probes.isEmpty()) {
      return Future.succeededFuture();
    }
    TandemConfig.Synthetics s = config.synthetics().get();
    List<Vantage> mine = s.vantages().stream().filter(v -> s.vantage().map(v.id()::equals).orElse(true))
        .map(v -> new Vantage(v.id(), v.provider(), v.region())).toList();
    // A runner reads one clock: a vantage with a clock of its own (a test or demo facility) gets
    // a probe node of its own.
    Map<Clock, List<Vantage>> byClock = new java.util.IdentityHashMap<>();
    List<Clock> order = new ArrayList<>();
    for (Vantage v : mine) {
      Clock c = overrides.probeClocks().getOrDefault(v.id(), clock);
      if (!byClock.containsKey(c)) {
        order.add(c);
      }
      byClock.computeIfAbsent(c, k -> new ArrayList<>()).add(v);
    }
    List<Future<Void>> started = new ArrayList<>();
    for (Clock c : order) {
      // Every run is also exported as a trace over every telemetry path (dual-homed): losing one
      // path loses no result, and the collectors turn the step spans back into probe results
      // (counted once with the in-process copy handed to the sink here).
      ProbeNode.Builder b = ProbeNode.builder(vertx)
          .journeys(List.copyOf(journeys.values()))
          .vantages(byClock.get(c))
          .targets(targets)
          .roles(this::roles)
          .settings(ProbeSettings.ofSeconds(s.intervalSeconds(), s.timeoutSeconds()))
          .clock(c)
          .sink(sink)
          .resourceAttributes(io.opentelemetry.api.common.Attributes.of(
              io.opentelemetry.api.common.AttributeKey.stringKey("tandem.observer"), config.observer().id()));
      exportEndpoints(s).forEach(b::otlpEndpoint);
      ProbeNode node = b.build();
      probes.add(node);
      started.add(node.start());
    }
    bindProbeMetrics(List.copyOf(probes));
    return Future.all(started).<Void>mapEmpty().onSuccess(v -> log.info(
        "synthetics: {} journeys x {} vantages x {} clouds every {} s", journeys.size(), mine.size(), targets.size(),
        s.intervalSeconds()));
  }

  /**
   * Where probe traces go: the configured export targets, else this process's own paths (the
   * ports they bound), else the paths' configured addresses (a vantage-only process).
   */
  private List<ProbeTelemetry.Endpoint> exportEndpoints(TandemConfig.Synthetics s) {
    List<ProbeTelemetry.Endpoint> out = new ArrayList<>();
    if (!s.export().isEmpty()) {
      for (TandemConfig.Export e : s.export()) {
        out.add(new ProbeTelemetry.Endpoint(e.url(), e.token().map(t -> Map.of("Authorization", "Bearer " + t.reveal()))
            .orElse(Map.of())));
      }
      return out;
    }
    for (TandemConfig.PathConfig p : config.paths()) {
      Integer port = pathPorts.getOrDefault(p.id(), p.otlp().httpPort() > 0 ? p.otlp().httpPort() : null);
      if (port != null) {
        Map<String, String> headers = p.tokens().isEmpty() ? Map.of()
            : Map.of("Authorization", "Bearer " + p.tokens().get(0).reveal());
        out.add(new ProbeTelemetry.Endpoint("http://" + p.otlp().host() + ":" + port, headers));
      }
    }
    return out;
  }

  /** A probes-only process takes the active cloud from an observer's verdict stream. */
  private void follow(TandemConfig.Follow f) {
    follower = new VerdictStreamFollower(vertx, f.url(), f.token(), memory,
        config.domains().stream().map(dev.tandem.engine.judge.DomainSpec::id).collect(java.util.stream.Collectors.toSet()),
        clock);
    Gauge.builder("tandem.follow.connected", follower, x -> x.connected() ? 1.0 : 0.0)
        .description("1 while the observer's verdict stream (synthetics.follow) is connected").register(registry);
    FunctionCounter.builder("tandem.follow.switches", follower, VerdictStreamFollower::switches)
        .description("Switches of the active cloud taken from the followed verdict stream").register(registry);
    FunctionCounter.builder("tandem.follow.reconnects", follower, VerdictStreamFollower::reconnects)
        .description("Times the followed verdict stream was lost or could not be reached (each retried)")
        .register(registry);
    follower.start();
  }

  /** Roles per cloud as the first domain sees them; probes follow a reported switch. */
  private Map<String, String> roles() {
    Map<String, String> roles = new LinkedHashMap<>();
    if (config.domains().isEmpty()) {
      List<String> clouds = List.copyOf(config.cloudRegions().keySet());
      roles.put(clouds.get(0), "active");
      roles.put(clouds.get(1), "standby");
      return roles;
    }
    String domain = config.domains().get(0).id();
    String active = engine.activeCloud(domain);
    for (String cloud : config.cloudRegions().keySet()) {
      roles.put(cloud, cloud.equals(active) ? "active" : "standby");
    }
    return roles;
  }

  private Future<Void> startApi() {
    api = new ApiServer(vertx, config.api(), config.runs(TandemConfig.Role.ENGINE) ? engine : null, slos, registry,
        clock, ready::get, board, this::problems, memory);
    return api.start().map(port -> {
      apiPort = port;
      return null;
    });
  }

  private void bindMetrics() {
    for (var d : config.domains()) {
      for (Recommendation r : Recommendation.values()) {
        Gauge.builder("tandem.verdict.recommendation", engine,
                e -> e.current(d.id()).map(v -> v.recommendation() == r ? 1.0 : 0.0).orElse(0.0))
            .description("1 for the domain's current recommendation, 0 for the others")
            .tag("domain", d.id()).tag("recommendation", r.name()).register(registry);
      }
      for (String cloud : config.cloudRegions().keySet()) {
        Gauge.builder("tandem.cloud.healthy", engine, e -> e.current(d.id())
                .map(v -> v.clouds().get(cloud)).map(c -> c.health() == dev.tandem.engine.verdict.Health.HEALTHY ? 1.0 : 0.0)
                .orElse(Double.NaN))
            .description("1 when the cloud is HEALTHY in the domain's verdict, 0 otherwise")
            .tag("domain", d.id()).tag("cloud", cloud).register(registry);
        for (dev.tandem.engine.verdict.Fault fault : dev.tandem.engine.verdict.Fault.values()) {
          Gauge.builder("tandem.cloud.fault", engine, e -> e.current(d.id()).map(v -> v.clouds().get(cloud))
                  .map(c -> c.fault() == fault ? 1.0 : 0.0).orElse(0.0))
              .description("1 for the cloud's current fault in the domain's verdict, 0 for the others")
              .tag("domain", d.id()).tag("cloud", cloud).tag("fault", fault.name()).register(registry);
        }
      }
    }
    FunctionCounter.builder("tandem.engine.observations", engine, VerdictEngine::observationCount)
        .description("Observations the engine has judged from").register(registry);
    FunctionCounter.builder("tandem.probe.duplicates", probeDedup, ProbeDeduplicator::duplicates)
        .description("Probe step results that arrived more than once (in process and over OTLP)")
        .register(registry);
    for (SloSpec spec : slos.specs()) {
      for (String cloud : config.cloudRegions().keySet()) {
        // What the SLO engine counted, as counters: the input of the generated Prometheus rules.
        for (boolean good : new boolean[] {true, false}) {
          FunctionCounter.builder("tandem.slo.events", slos, e -> e.events(spec.name(), cloud, good))
              .description("Events counted into the SLO's error budget (outcome good or bad)")
              .tag("slo", spec.name()).tag("cloud", cloud).tag("outcome", good ? "good" : "bad")
              .register(registry);
        }
        Gauge.builder("tandem.slo.error.budget.remaining", slos, e -> sloValue(e, spec.name(), cloud,
                s -> s.budgetRemaining()))
            .description("Share of the error budget left in the SLO window (1 = untouched, below 0 = overspent)")
            .tag("slo", spec.name()).tag("cloud", cloud).register(registry);
        for (var tier : dev.tandem.engine.budget.BurnRateTier.forPeriod(spec.window().duration())) {
          for (var window : List.of(tier.longWindow(), tier.shortWindow())) {
            String w = dev.tandem.engine.budget.Durations.format(window);
            if (registry.find("tandem.slo.burn.rate").tags("slo", spec.name(), "cloud", cloud, "window", w).gauge() == null) {
              Gauge.builder("tandem.slo.burn.rate", slos, e -> sloValue(e, spec.name(), cloud,
                      s -> s.burnRates().getOrDefault(w, Double.NaN)))
                  .description("Error ratio over the window divided by the error budget")
                  .tag("slo", spec.name()).tag("cloud", cloud).tag("window", w).register(registry);
            }
          }
          Gauge.builder("tandem.slo.alert.firing", slos, e -> sloValue(e, spec.name(), cloud,
                  s -> s.tiers().stream().anyMatch(t -> t.name().equals(tier.name()) && t.firing()) ? 1.0 : 0.0))
              .description("1 while the burn-rate tier fires")
              .tag("slo", spec.name()).tag("cloud", cloud).tag("tier", tier.name()).tag("severity", tier.severity())
              .register(registry);
        }
      }
    }
  }

  /** The background disk writers: none of them makes a caller wait, so their trouble shows here. */
  private List<WriterHealth> writers() {
    List<WriterHealth> out = new ArrayList<>();
    if (sloState != null) {
      out.add(sloState);
    }
    if (memory != null) {
      out.add(memory);
    }
    if (audit != null) {
      out.add(audit);
    }
    if (recording != null) {
      out.add(recording.health());
    }
    if (pager != null) {
      pager.outbox().ifPresent(out::add);
    }
    return out;
  }

  /** Why this process is degraded, for {@code /readyz}: cheap, never blocks. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    writers().forEach(w -> w.problem().ifPresent(out::add));
    if (follower != null) {
      follower.problem().ifPresent(out::add);
    }
    if (pager != null) {
      out.addAll(pager.problems());
    }
    return out;
  }

  /** Every writer's drops and failures on /metrics: nothing is dropped unseen. */
  private void bindStorageMetrics() {
    for (WriterHealth w : writers()) {
      FunctionCounter.builder("tandem.storage.dropped", w, WriterHealth::dropped)
          .description("Lines (or paging events) a disk writer gave up at its queue's bound")
          .tag("writer", w.writer()).register(registry);
      FunctionCounter.builder("tandem.storage.write.failures", w, WriterHealth::writeFailures)
          .description("Failed disk writes (a full disk, an I/O error); each is retried with backoff")
          .tag("writer", w.writer()).register(registry);
      Gauge.builder("tandem.storage.failing", w, x -> x.problem().isPresent() ? 1.0 : 0.0)
          .description("1 while the writer cannot write to disk (see /readyz for why)")
          .tag("writer", w.writer()).register(registry);
    }
    FunctionCounter.builder("tandem.storage.snapshot.failures", sloState, SloStateStore::snapshotFailures)
        .description("SLO state snapshots that could not be written (the journal since the last one is kept)")
        .register(registry);
    if (recording != null) {
      FunctionCounter.builder("tandem.recording.late", recording, ObservationRecorder::late)
          .description("Observations left out of the recording because they arrived after later ones were written")
          .register(registry);
    }
  }

  /** Synthetics' drops: schedules missed or shed, and probe spans each export target lost. */
  /** Summed over the probe nodes (one, or more with a vantage on a clock of its own). */
  private void bindProbeMetrics(List<ProbeNode> nodes) {
    FunctionCounter.builder("tandem.probe.schedules.missed", nodes,
            ns -> ns.stream().mapToDouble(n -> n.scheduler().missedSchedules()).sum())
        .description("Journey runs not started because the previous run of the same journey, vantage and cloud was"
            + " still going").register(registry);
    FunctionCounter.builder("tandem.probe.schedules.shed", nodes,
            ns -> ns.stream().mapToDouble(n -> n.scheduler().shedRuns()).sum())
        .description("Journey runs not started because the most runs allowed at once were going").register(registry);
    List<ProbeTelemetry> telemetry = nodes.stream().map(ProbeNode::telemetry).filter(java.util.Objects::nonNull)
        .toList();
    if (telemetry.isEmpty()) {
      return;
    }
    // Every node exports to the same targets, in the same order (exportEndpoints).
    for (int i = 0; i < telemetry.get(0).endpoints().size(); i++) {
      int endpoint = i;
      String target = telemetry.get(0).endpoints().get(i).baseUrl();
      FunctionCounter.builder("tandem.probe.spans.exported", telemetry,
              ts -> ts.stream().mapToDouble(t -> t.exportedSpans(endpoint)).sum())
          .description("Probe step spans an OTLP export target acknowledged").tag("target", target)
          .register(registry);
      FunctionCounter.builder("tandem.probe.spans.failed", telemetry,
              ts -> ts.stream().mapToDouble(t -> t.failedSpans(endpoint)).sum())
          .description("Probe step spans whose export failed after the exporter's retries").tag("target", target)
          .register(registry);
      FunctionCounter.builder("tandem.probe.spans.dropped", telemetry,
              ts -> ts.stream().mapToDouble(t -> t.droppedSpans(endpoint)).sum())
          .description("Probe step spans dropped before export because the target's queue was full")
          .tag("target", target).register(registry);
    }
  }

  /**
   * What the judge refused or dropped: observations stamped too far ahead (per vantage and path,
   * the configured ones by name, any other pooled as {@code _other}), results too late for their
   * window, and results past a ledger's bound.
   */
  private void bindJudgeMetrics() {
    java.util.Set<String> known = new java.util.HashSet<>();
    config.synthetics().ifPresent(s -> s.vantages().forEach(v -> {
      known.add("vantage " + v.id());
      refusedCounter("vantage", v.id());
    }));
    config.paths().forEach(p -> {
      known.add("path " + p.id());
      refusedCounter("path", p.id());
    });
    FunctionCounter.builder("tandem.observations.refused.ahead", engine, e -> e.refusedAhead().entrySet().stream()
            .filter(x -> !known.contains(x.getKey())).mapToLong(Map.Entry::getValue).sum())
        .description("Observations refused because they were stamped more than engine.maxClockSkewSeconds ahead")
        .tag("sender", "_other").tag("name", "_other").register(registry);
    FunctionCounter.builder("tandem.observations.late", engine, VerdictEngine::lateProbeResults)
        .description("Results dropped because they arrived after their window had passed them")
        .tag("ledger", "probe").register(registry);
    FunctionCounter.builder("tandem.observations.late", engine, VerdictEngine::lateTelemetry)
        .tag("ledger", "telemetry").register(registry);
    FunctionCounter.builder("tandem.observations.late", slos, SloEngine::late)
        .tag("ledger", "slo").register(registry);
    FunctionCounter.builder("tandem.observations.dropped.bound", engine, VerdictEngine::droppedAtBound)
        .description("Results dropped because the judge's ledgers were at their series bound").register(registry);
    FunctionCounter.builder("tandem.observations.dropped.foreign", engine, VerdictEngine::foreignProbeResults)
        .description("Probe results from a cloud or vantage the configuration does not know (dropped)")
        .register(registry);
    FunctionCounter.builder("tandem.slo.observations.refused.ahead", slos, SloEngine::refusedAhead)
        .description("Observations the SLO engine refused as stamped too far ahead").register(registry);
  }

  private void refusedCounter(String kind, String name) {
    FunctionCounter.builder("tandem.observations.refused.ahead", engine,
            e -> e.refusedAhead().getOrDefault(kind + " " + name, 0L))
        .description("Observations refused because they were stamped more than engine.maxClockSkewSeconds ahead")
        .tag("sender", kind).tag("name", name).register(registry);
  }

  private static double sloValue(SloEngine e, String slo, String cloud,
      java.util.function.ToDoubleFunction<SloStatus> f) {
    for (SloStatus s : e.current()) {
      if (s.slo().equals(slo) && s.cloud().equals(cloud)) {
        return f.applyAsDouble(s);
      }
    }
    return Double.NaN;
  }

  private void bindReceiverMetrics() {
    for (OtlpHttpReceiver r : receivers) {
      String path = r.settings().id();
      FunctionCounter.builder("tandem.collector.requests.accepted", r, x -> x.stats().requestsAccepted())
          .tag("path", path).register(registry);
      FunctionCounter.builder("tandem.collector.spans.accepted", r, x -> x.stats().spansAccepted())
          .tag("path", path).register(registry);
      FunctionCounter.builder("tandem.collector.points.accepted", r, x -> x.stats().pointsAccepted())
          .tag("path", path).register(registry);
      FunctionCounter.builder("tandem.collector.spans.duplicate", r, x -> x.stats().duplicateSpans())
          .tag("path", path).register(registry);
      FunctionCounter.builder("tandem.collector.requests.shed", r, x -> x.stats().requestsShed())
          .description("Requests answered 429 / UNAVAILABLE because the path's intake queue was full")
          .tag("path", path).register(registry);
      FunctionCounter.builder("tandem.collector.probe.spans", r, x -> x.stats().probeSpans())
          .description("Synthetic probe step spans turned into probe results")
          .tag("path", path).register(registry);
      FunctionCounter.builder("tandem.collector.attribute.values.collapsed", r, x -> x.stats().attributeValuesCollapsed())
          .description("Attribute values folded into _other at the cardinality bound")
          .tag("path", path).register(registry);
    }
  }

  private static String auditLine(VerdictJson json, Verdict prev, Verdict next) {
    var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    node.put("ts", next.generatedAt().toString());
    node.put("type", "verdict");
    if (prev != null) {
      node.put("previousRecommendation", prev.recommendation().name());
    }
    node.set("verdict", json.encode(next));
    return node.toString();
  }

  /** Stops every role, flushes the logs and releases the storage folder. */
  public Future<Void> stop() {
    ready.set(false);
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
    }
    if (snapshotTimer >= 0) {
      vertx.cancelTimer(snapshotTimer);
    }
    List<Future<?>> stops = new ArrayList<>();
    if (follower != null) {
      follower.stop();
    }
    probes.forEach(p -> stops.add(p.stop()));
    receivers.forEach(r -> stops.add(r.stop()));
    if (api != null) {
      stops.add(api.stop());
    }
    return Future.join(stops).transform(x -> vertx.executeBlocking(() -> {
      if (influx != null) {
        influx.close();
      }
      if (memory != null) {
        memory.close();
      }
      if (recording != null) {
        recording.close();
      }
      if (sloState != null) {
        sloState.close();
      }
      if (pager != null) {
        pager.close();
      }
      if (audit != null) {
        audit.close();
      }
      if (storage != null) {
        storage.close();
      }
      return null;
    })).mapEmpty();
  }
}
