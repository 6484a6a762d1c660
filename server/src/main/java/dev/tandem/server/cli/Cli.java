package dev.tandem.server.cli;

import dev.tandem.engine.replay.Replay;
import dev.tandem.engine.yaml.Problem;
import dev.tandem.server.TandemNode;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.config.Validation;
import dev.tandem.server.demo.Demo;
import dev.tandem.server.demo.LoopDemo;
import dev.tandem.server.demo.Scenario;
import dev.tandem.sim.CloudSettings;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Tandem's command line (CONTRACTS.md section 1). Exit codes: 0 success, 1 invalid input,
 * 2 usage error. Errors are one readable line each on stderr, never a bare stack trace.
 */
public final class Cli {
  public static final int OK = 0;
  public static final int INVALID_INPUT = 1;
  public static final int USAGE = 2;
  /** Returned by commands that keep serving until interrupted. */
  public static final int KEEP_RUNNING = -1;

  static final String DEMO_CONFIG = "examples/demo/tandem.yaml";
  private static final List<String> DEMO_FILES = List.of("tandem.yaml", "journeys/order-to-invoice.yaml",
      "journeys/stock-lookup.yaml", "journeys/standby-readiness.yaml", "slos/order-submission-availability.yaml",
      "slos/inventory-api-availability.yaml", "slos/order-journey-availability.yaml");

  private final PrintStream out;
  private final PrintStream err;
  private final Function<String, String> env;

  public Cli(PrintStream out, PrintStream err, Function<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  public int run(String[] argv) {
    if (argv.length == 0 || Set.of("help", "--help", "-h").contains(argv[0])) {
      out.print(usage());
      return argv.length == 0 ? USAGE : OK;
    }
    List<String> rest = Arrays.asList(argv).subList(1, argv.length);
    try {
      switch (argv[0]) {
        case "validate":
          return validate(Args.parse(rest, Set.of("config")));
        case "demo":
          return demo(Args.parse(rest, Set.of("scenario", "port", "config")));
        case "run":
          return runNode(Args.parse(rest, Set.of("config")));
        case "sim":
          return sim(Args.parse(rest, Set.of("port")));
        case "replay":
          return replay(Args.parse(rest, Set.of("config", "input", "output")));
        case "rules":
          return rules(Args.parse(rest, Set.of("config", "output")));
        case "controller":
          return controller(Args.parse(rest, Set.of("config")));
        case "catalogue":
          return catalogue(Args.parse(rest, Set.of("output", "case", "history-minutes", "seed")));
        default:
          err.println("tandem: unknown command '" + argv[0] + "'; try 'tandem help'");
          return USAGE;
      }
    } catch (UsageException e) {
      err.println("tandem " + argv[0] + ": " + e.getMessage());
      return USAGE;
    } catch (RuntimeException e) {
      err.println("tandem " + argv[0] + ": " + describe(e));
      return INVALID_INPUT;
    }
  }

  static String usage() {
    return String.join("\n",
        "usage: tandem <command> [options]",
        "",
        "  demo [--scenario NAME] [--port 8080]   the whole system on loopback; scenarios: "
            + String.join(", ", Scenario.ids()),
        "  run --config FILE                      production mode: the roles the config asks for",
        "  validate --config FILE                 check the config and every SLO and journey file it names",
        "  replay --config FILE --input OBS.jsonl [--output OUT.jsonl]   the engine over a recorded log",
        "  rules --config FILE --output DIR       Prometheus recording and alerting rules for every SLO",
        "  sim [--port N]                         the distribution platform simulator alone",
        "  controller --config FILE               the reference failover controller: observer quorum, safety",
        "                                         rules, the traffic switch (docs/failover-controller.md)",
        "  catalogue --output DIR [--case ID] [--history-minutes N] [--seed N]",
        "                                         the gray-failure catalogue as observation logs and the config",
        "                                         to replay them with (catalogue/README.md)",
        "");
  }

  private int validate(Args args) throws UsageException {
    Path file = Path.of(args.require("config"));
    Validation.Result result = Validation.check(file, new ConfigLoader(env));
    if (!result.ok()) {
      printProblems(result);
      return INVALID_INPUT;
    }
    TandemConfig c = result.config().get();
    out.println(c.file() + ": OK (" + c.domains().size() + " domain(s), " + c.paths().size()
        + " path(s), " + result.journeys().size() + " journey(s), " + result.slos().names("SLO").size()
        + " SLO(s))");
    return OK;
  }

  private int rules(Args args) throws UsageException {
    Path configFile = Path.of(args.require("config"));
    Path outputDir = Path.of(args.require("output"));
    Validation.Result result = Validation.check(configFile, new ConfigLoader(env));
    if (!result.ok()) {
      printProblems(result);
      return INVALID_INPUT;
    }
    Path file = outputDir.resolve(dev.tandem.rules.PrometheusRules.FILE_NAME);
    try {
      Files.createDirectories(outputDir);
      Files.writeString(file, dev.tandem.rules.PrometheusRules.generate(result.sloSpecs()),
          java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println("tandem rules: cannot write " + file + ": " + describe(e));
      return INVALID_INPUT;
    }
    out.println(file + ": Prometheus rules for " + result.sloSpecs().size() + " SLO objective(s)");
    return OK;
  }

  private int replay(Args args) throws UsageException {
    Path configFile = Path.of(args.require("config"));
    Path input = Path.of(args.require("input"));
    Optional<Path> output = args.get("output").map(Path::of);
    Validation.Result result = Validation.check(configFile, new ConfigLoader(env));
    if (!result.ok()) {
      printProblems(result);
      return INVALID_INPUT;
    }
    if (!Files.isReadable(input)) {
      err.println(input + ": cannot read the observation log");
      return INVALID_INPUT;
    }
    // The configuration's maintenance windows from the start; those added through the API are lines of the log.
    Replay replay = new Replay(TandemNode.engineSpec(result.config().get()), result.sloSpecs(),
        result.config().get().pagingFlap(), result.config().get().maintenance().stream()
            .map(dev.tandem.server.config.TandemConfig.Maintenance::window).toList());
    long size;
    try {
      size = Files.size(input);
    } catch (IOException e) {
      size = 0;
    }
    boolean terminal = System.console() != null && output.isPresent();
    long total = Math.max(1, size);
    long started = System.nanoTime();
    Replay.Summary summary;
    try (java.io.BufferedReader in = Files.newBufferedReader(input, java.nio.charset.StandardCharsets.UTF_8);
         java.io.Writer out = output.isPresent()
             ? Files.newBufferedWriter(output.get(), java.nio.charset.StandardCharsets.UTF_8)
             : new java.io.BufferedWriter(new java.io.OutputStreamWriter(this.out, java.nio.charset.StandardCharsets.UTF_8))) {
      summary = replay.run(in, out, chars -> {
        if (terminal) {
          int pct = (int) Math.min(100, chars * 100 / total);
          String bar = "#".repeat(pct / 4) + " ".repeat(25 - pct / 4);
          err.print("\r[" + bar + "] " + pct + "%");
        }
      });
    } catch (IOException e) {
      err.println("tandem replay: " + describe(e));
      return INVALID_INPUT;
    }
    if (terminal) {
      err.println();
    }
    for (Replay.Skipped s : summary.skipped()) {
      err.println(s.line() < 0 ? input + ": " + s.reason() : input + ":" + s.line() + ": " + s.reason() + " (skipped)");
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    err.printf(java.util.Locale.ROOT, "replayed %d observations (%d lines, %d skipped) in %.2f s: %d verdict changes,"
            + " %d SLO alert changes%n", summary.observations(), summary.lines(),
        summary.skippedCount(), seconds, summary.verdictChanges(),
        summary.sloAlertChanges());
    return summary.skipped().isEmpty() ? OK : INVALID_INPUT;
  }

  private int catalogue(Args args) throws UsageException {
    Path dir = Path.of(args.require("output"));
    List<dev.tandem.catalogue.GrayFailure> cases;
    if (args.get("case").isPresent()) {
      String id = args.get("case").get();
      cases = List.of(dev.tandem.catalogue.GrayFailure.byId(id).orElseThrow(() -> new UsageException(
          "unknown case '" + id + "'; cases: " + String.join(", ", Arrays.stream(dev.tandem.catalogue.GrayFailure.values())
              .map(dev.tandem.catalogue.GrayFailure::id).toList()))));
    } else {
      cases = List.of(dev.tandem.catalogue.GrayFailure.values());
    }
    long minutes = number(args, "history-minutes", 0, 7 * 24 * 60);
    long seed = number(args, "seed", 1, Long.MAX_VALUE);
    List<dev.tandem.catalogue.CatalogueFiles.Written> written;
    try {
      written = dev.tandem.catalogue.CatalogueFiles.write(dir, cases, Duration.ofMinutes(minutes), seed);
    } catch (IOException e) {
      err.println("tandem catalogue: cannot write " + dir + ": " + describe(e));
      return INVALID_INPUT;
    }
    Path config = dir.resolve(dev.tandem.catalogue.CatalogueFiles.CONFIG);
    out.println(config + ": the catalogue's observer");
    for (dev.tandem.catalogue.CatalogueFiles.Written w : written) {
      out.printf(java.util.Locale.ROOT, "%s: %,d observations (%s)%n", w.log(), w.observations(),
          w.failure().description());
    }
    out.println("replay one with: tandem replay --config " + config + " --input " + written.get(0).log());
    return OK;
  }

  private static long number(Args args, String name, long fallback, long max) throws UsageException {
    Optional<String> v = args.get(name);
    if (v.isEmpty()) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v.get());
      if (n < 0 || n > max) {
        throw new UsageException("--" + name + " must be between 0 and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a whole number, not '" + v.get() + "'");
    }
  }

  private void printProblems(Validation.Result result) {
    for (Problem p : result.problems().sorted()) {
      err.println(p);
    }
    err.println(result.problems().size() + " problem(s) found");
  }

  private int demo(Args args) throws UsageException {
    Optional<Scenario> scenario = Optional.empty();
    if (args.get("scenario").isPresent()) {
      scenario = Scenario.byId(args.get("scenario").get());
      if (scenario.isEmpty()) {
        throw new UsageException("unknown scenario '" + args.get("scenario").get() + "' (known: "
            + String.join(", ", Scenario.ids()) + ")");
      }
    }
    Optional<Integer> port = args.port("port");
    Path configFile;
    try {
      configFile = args.get("config").map(Path::of).orElse(demoConfig());
    } catch (IOException e) {
      err.println("tandem demo: cannot prepare the demo configuration: " + e.getMessage());
      return INVALID_INPUT;
    }
    Validation.Result result = Validation.check(configFile, new ConfigLoader(env));
    if (!result.ok()) {
      printProblems(result);
      return INVALID_INPUT;
    }
    TandemConfig config = result.config().get();
    if (port.isPresent()) {
      config = config.withApiPort(port.get());
    }
    // The built-in demo starts from a clean slate every run: budgets burnt by the previous run's
    // scenario would otherwise be restored from the snapshot and colour this run's first verdicts.
    // With --config the user chose storage.dir, and its state survives restarts as in `run`.
    Path runDir = null;
    if (args.get("config").isEmpty()) {
      try {
        runDir = Files.createTempDirectory("tandem-demo-");
      } catch (IOException e) {
        err.println("tandem demo: cannot create a folder for the run's state: " + e.getMessage());
        return INVALID_INPUT;
      }
      config = config.withStorageDir(runDir.resolve("state"));
    }
    Vertx vertx = Vertx.vertx();
    LoopDemo demo;
    try {
      demo = await(LoopDemo.start(vertx, config, result.journeys(), result.sloSpecs(), Clock.systemUTC(),
          Demo.portsFromTargets(config)));
    } catch (Exception e) {
      err.println("tandem demo: cannot start: " + describe(e));
      vertx.close();
      return INVALID_INPUT;
    }
    String domain = demo.domain();
    out.println("Tandem demo is running: three observers, the failover controller and the platform (config "
        + config.file() + ")");
    out.println(runDir == null ? "State: " + config.storage().dir() + " (kept across runs)"
        : "State of this run (fresh each time, removed when the demo stops): " + runDir);
    for (int i = 0; i < demo.observers().size(); i++) {
      TandemNode node = demo.observers().get(i);
      TandemConfig c = demo.observerConfigs().get(i);
      String api = "http://" + c.api().host() + ":" + node.apiPort();
      out.println("Observer " + c.observer().id() + " (vantages " + c.synthetics().map(s -> s.vantages().stream()
          .map(v -> v.id()).collect(java.util.stream.Collectors.joining(", "))).orElse("none") + ")");
      out.println("  status page:  " + api + "/");
      out.println("  verdicts:     " + api + "/api/v1/verdicts");
      out.println("  one domain:   " + api + "/api/v1/verdicts/" + domain);
      out.println("  live stream:  " + api + "/api/v1/verdicts/stream");
      out.println("  metrics:      " + api + "/metrics");
      node.pathPorts().forEach((path, p) ->
          out.println("  OTLP/HTTP " + path + ": http://" + c.api().host() + ":" + p));
    }
    String ctl = "http://" + config.api().host() + ":" + demo.controller().port();
    out.println("Failover controller (quorum 2 of 3, anti-flap " + config.engine().antiFlapSeconds() + " s)");
    out.println("  status:       " + ctl + "/status");
    out.println("  metrics:      " + ctl + "/metrics");
    out.println("  decision log: " + demo.controller().config().decisionLog());
    out.println("Platform");
    out.println("  public:       " + demo.sim().trafficUrl() + "  (the traffic manager: forwards to the active cloud)");
    for (String cloud : demo.sim().clouds()) {
      out.println("  platform " + cloud + ": " + demo.sim().baseUrl(cloud));
    }
    out.println("  fault admin:  " + demo.sim().adminUrl() + "/_sim/faults");
    Instant started = Instant.now();
    for (TandemNode node : demo.observers()) {
      String id = node.engine().spec().observer().id();
      node.engine().addListener((prev, next) -> {
        if (prev == null || prev.recommendation() != next.recommendation() || roleSwapped(prev, next)
            || !prev.clouds().equals(next.clouds()) && faultsChanged(prev, next)) {
          out.printf("[+%3ds] %-13s %s: %s  %s%n", Duration.between(started, Instant.now()).toSeconds(), id,
              next.domain(), next.recommendation(), next.reason());
        }
      });
    }
    java.util.Map<String, dev.tandem.controller.Decision> printed = new java.util.concurrent.ConcurrentHashMap<>();
    demo.onDecision(d -> {
      dev.tandem.controller.Decision before = printed.put(d.domain(), d);
      if (!d.sameAs(before) && (before != null || d.outcome() != dev.tandem.controller.Decision.Outcome.STAY)) {
        out.printf("[+%3ds] %-13s %s: %s (%s) %s%n", Duration.between(started, Instant.now()).toSeconds(),
            "controller", d.domain(), d.outcome(), d.reason(), d.explanation());
      }
    });
    scenario.ifPresent(s -> {
      out.println("Scenario " + s.id() + ": in " + Scenario.FAULT_AFTER.toSeconds() + " s, " + s.fault()
          + ". Expect " + s.expectedWithController() + ".");
      demo.play(s, Scenario.FAULT_AFTER);
      java.util.concurrent.atomic.AtomicLong figuresTimer = new java.util.concurrent.atomic.AtomicLong();
      figuresTimer.set(vertx.setPeriodic(1_000, id -> demo.figures().ifPresent(lines -> {
        vertx.cancelTimer(figuresTimer.get());
        out.printf("[+%3ds] Measured (from the fault's injection):%n", Duration.between(started, Instant.now()).toSeconds());
        lines.forEach(l -> out.println("        " + l));
        out.println("        the controller's own figures: " + ctl + "/status (lastOutage) and tandem_controller_rto_seconds,"
            + " tandem_controller_rpo_seconds on " + ctl + "/metrics");
      })));
    });
    out.println("Press Ctrl-C to stop.");
    LoopDemo running = demo;
    Path fresh = runDir;
    awaitShutdown(vertx, () -> running.stop().eventually(() -> {
      if (fresh != null) {
        deleteTree(fresh);
      }
      return Future.succeededFuture();
    }));
    return KEEP_RUNNING;
  }

  /** Removes a demo run's state folder; what cannot be removed is reported, never fatal. */
  private void deleteTree(Path dir) {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      err.println("tandem demo: could not remove " + dir + ": " + e.getMessage());
    }
  }

  private static boolean roleSwapped(dev.tandem.engine.verdict.Verdict a, dev.tandem.engine.verdict.Verdict b) {
    for (var e : b.clouds().entrySet()) {
      var before = a.clouds().get(e.getKey());
      if (before != null && !before.role().equals(e.getValue().role())) {
        return true;
      }
    }
    return false;
  }

  private static boolean faultsChanged(dev.tandem.engine.verdict.Verdict a, dev.tandem.engine.verdict.Verdict b) {
    for (var e : b.clouds().entrySet()) {
      var before = a.clouds().get(e.getKey());
      if (before == null || before.fault() != e.getValue().fault() || before.health() != e.getValue().health()) {
        return true;
      }
    }
    return false;
  }

  private int runNode(Args args) throws UsageException {
    Path file = Path.of(args.require("config"));
    Validation.Result result = Validation.check(file, new ConfigLoader(env));
    if (!result.ok()) {
      printProblems(result);
      return INVALID_INPUT;
    }
    TandemConfig config = result.config().get();
    Vertx vertx = Vertx.vertx();
    TandemNode node = TandemNode.create(vertx, result, Clock.systemUTC(), TandemNode.Overrides.none());
    try {
      await(node.start());
    } catch (Exception e) {
      err.println("tandem run: cannot start: " + describe(e));
      vertx.close();
      return INVALID_INPUT;
    }
    out.println("Tandem observer " + config.observer().id() + " is running: http://" + config.api().host()
        + ":" + node.apiPort() + "/api/v1/verdicts (status page: http://" + config.api().host() + ":"
        + node.apiPort() + "/)");
    awaitShutdown(vertx, node::stop);
    return KEEP_RUNNING;
  }

  private int controller(Args args) throws UsageException {
    Path file = Path.of(args.require("config"));
    dev.tandem.engine.yaml.Problems problems = new dev.tandem.engine.yaml.Problems();
    Optional<dev.tandem.controller.service.ControllerConfig> loaded =
        new dev.tandem.controller.service.ControllerConfigLoader(env).read(file, problems);
    if (!problems.isEmpty() || loaded.isEmpty()) {
      for (Problem p : problems.sorted()) {
        err.println(p);
      }
      err.println(problems.size() + " problem(s) found");
      return INVALID_INPUT;
    }
    dev.tandem.controller.service.ControllerConfig config = loaded.get();
    Vertx vertx = Vertx.vertx();
    dev.tandem.controller.service.ControllerService service;
    try {
      service = await(dev.tandem.controller.service.ControllerService.start(vertx, config,
          dev.tandem.controller.traffic.SimulatorTrafficSwitch.create(vertx, config.simulatorAdminUrl(),
              config.timeout()), Clock.systemUTC()));
    } catch (Exception e) {
      err.println("tandem controller: cannot start: " + describe(e));
      vertx.close();
      return INVALID_INPUT;
    }
    String base = "http://" + config.api().host() + ":" + service.port();
    out.println("Tandem failover controller is running: " + config.observers().size() + " observers, quorum "
        + config.quorum() + ", anti-flap " + config.antiFlap().toSeconds() + " s");
    out.println("  status:       " + base + "/status");
    out.println("  metrics:      " + base + "/metrics");
    out.println("  gate:         " + base + "/api/v1/gate" + config.gateFile().map(f -> " (or the file " + f + ")")
        .orElse(""));
    out.println("  decision log: " + config.decisionLog());
    java.util.Map<String, dev.tandem.controller.Decision> printed = new java.util.concurrent.ConcurrentHashMap<>();
    service.addListener(d -> {
      if (!d.sameAs(printed.put(d.domain(), d)) && d.outcome() != dev.tandem.controller.Decision.Outcome.STAY) {
        out.println("[" + d.at() + "] " + d.domain() + ": " + d.outcome() + " (" + d.reason() + ") " + d.explanation());
      }
    });
    out.println("Press Ctrl-C to stop.");
    awaitShutdown(vertx, service::stop);
    return KEEP_RUNNING;
  }

  private int sim(Args args) throws UsageException {
    int port = args.port("port").orElse(9001);
    Vertx vertx = Vertx.vertx();
    SimSettings settings = SimSettings.builder()
        .primary(new CloudSettings("primary", "eu-west", port, null))
        .secondary(new CloudSettings("secondary", "eu-central", port == 0 ? 0 : port + 1, null))
        .build();
    PlatformSimulator sim = PlatformSimulator.create(vertx, settings);
    try {
      await(sim.start());
    } catch (Exception e) {
      err.println("tandem sim: cannot start: " + describe(e));
      vertx.close();
      return INVALID_INPUT;
    }
    for (String cloud : sim.clouds()) {
      out.println("platform " + cloud + ": " + sim.baseUrl(cloud));
    }
    out.println("public endpoint (traffic manager, follows the active cloud): " + sim.trafficUrl());
    out.println("fault admin: " + sim.adminUrl() + "/_sim/faults");
    out.println("Press Ctrl-C to stop.");
    awaitShutdown(vertx, sim::stop);
    return KEEP_RUNNING;
  }

  /** The demo config in the working tree, or a copy of the one bundled in the jar. */
  private static Path demoConfig() throws IOException {
    Path local = Path.of(DEMO_CONFIG);
    if (Files.isRegularFile(local)) {
      return local;
    }
    Path dir = Files.createTempDirectory("tandem-demo");
    for (String name : DEMO_FILES) {
      try (InputStream in = Cli.class.getResourceAsStream("/demo/" + name)) {
        if (in == null) {
          throw new IOException("the jar lacks demo/" + name);
        }
        Path target = dir.resolve(name);
        Files.createDirectories(target.getParent());
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return dir.resolve("tandem.yaml");
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private void awaitShutdown(Vertx vertx, java.util.function.Supplier<Future<Void>> stop) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("Stopping...");
      try {
        stop.get().transform(x -> vertx.close()).toCompletionStage().toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
      } catch (Exception e) {
        err.println("tandem: unclean stop: " + describe(e));
      }
    }, "tandem-shutdown"));
  }

  static String describe(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.ExecutionException
        || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage();
    if (t instanceof java.net.BindException || (message != null && message.contains("Address already in use"))) {
      return "a port is already in use (" + message + "); stop what uses it or pick other ports";
    }
    return message == null ? t.getClass().getSimpleName() : message;
  }
}
