package dev.tandem.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.budget.MaintenanceWindow;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.budget.SloStatus;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.VerdictEngine;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.engine.verdict.VerdictJson;
import dev.tandem.server.config.Secret;
import dev.tandem.server.config.TandemConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verdict API (CONTRACTS.md section 4), health endpoints and {@code /metrics}. Reads need a
 * read or admin token when read tokens are configured; writes always need an admin token.
 */
public final class ApiServer {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  /** Request bodies are tiny JSON documents. */
  static final long MAX_BODY_BYTES = 16 * 1024;
  /** Stream subscribers; one more gets 503. */
  static final int MAX_STREAM_CLIENTS = 100;
  static final long STREAM_HEARTBEAT_MS = 15_000;

  private final Vertx vertx;
  private final TandemConfig.Api settings;
  private final VerdictEngine engine;
  private final SloEngine slos;
  private final PrometheusMeterRegistry registry;
  private final Clock clock;
  private final BooleanSupplier ready;
  private final Supplier<List<String>> problems;
  private final ApiChanges changes;
  private final StatusBoard board;
  private final StaticPage page = StaticPage.load();
  private final ObjectMapper json = new ObjectMapper();
  private final VerdictJson verdictJson = new VerdictJson(json);
  private final Set<StreamClient> streams = ConcurrentHashMap.newKeySet();
  private HttpServer server;
  private long heartbeatTimer = -1;
  private long sampleTimer = -1;

  private record StreamClient(HttpServerResponse response, Context context) {}

  /**
   * The API, serving also the status page's probe matrix, path liveness and burn-rate history
   * from {@code board} (the node feeds it observations).
   */
  public ApiServer(Vertx vertx, TandemConfig.Api settings, VerdictEngine engine, SloEngine slos,
      PrometheusMeterRegistry registry, Clock clock, BooleanSupplier ready, StatusBoard board) {
    this(vertx, settings, engine, slos, registry, clock, ready, board, List::of);
  }

  /**
   * As above; {@code problems} says why the process is degraded (a disk that refuses writes, a
   * routing key PagerDuty refuses). {@code /readyz} lists them and still answers 200: the process
   * judges and serves verdicts, it only cannot keep everything durable or deliver every page.
   * {@code problems} must be cheap and never block (it runs on an event loop).
   */
  public ApiServer(Vertx vertx, TandemConfig.Api settings, VerdictEngine engine, SloEngine slos,
      PrometheusMeterRegistry registry, Clock clock, BooleanSupplier ready, StatusBoard board,
      Supplier<List<String>> problems) {
    this(vertx, settings, engine, slos, registry, clock, ready, board, problems,
        engine == null ? null : ApiChanges.inMemory(engine, slos, clock));
  }

  /**
   * As above; reported switches and maintenance windows go through {@code changes}, which keeps
   * them (a node: on disk and in the observation log). A process without the engine role
   * ({@code engine} null) still takes and answers {@code PUT}/{@code GET /api/v1/verdicts/{domain}/active}
   * through {@code changes} when it is given: its probes follow the active cloud.
   */
  public ApiServer(Vertx vertx, TandemConfig.Api settings, VerdictEngine engine, SloEngine slos,
      PrometheusMeterRegistry registry, Clock clock, BooleanSupplier ready, StatusBoard board,
      Supplier<List<String>> problems, ApiChanges changes) {
    this.problems = problems;
    this.changes = changes;
    this.board = board;
    this.vertx = vertx;
    this.settings = settings;
    this.engine = engine;
    this.slos = slos;
    this.registry = registry;
    this.clock = clock;
    this.ready = ready;
    if (engine != null) {
      engine.addListener((prev, next) -> publish(next));
    }
  }

  /** Starts listening; the future carries the bound port. */
  public Future<Integer> start() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "no-store");
      ctx.next();
    });
    // The status page: static files with their own caching (ETag + revalidation), before /api/*.
    if (engine == null) {
      router.get("/").handler(this::index);
    } else {
      StaticPage.FILES.keySet().forEach(path -> router.route(path)
          .method(io.vertx.core.http.HttpMethod.GET).method(io.vertx.core.http.HttpMethod.HEAD)
          .handler(page::serve));
    }
    router.get("/healthz").handler(ctx -> sendJson(ctx, 200, json.createObjectNode().put("status", "ok")));
    router.get("/readyz").handler(ctx -> {
      boolean ok = ready.getAsBoolean();
      List<String> why = ok ? problems.get() : List.of();
      var body = json.createObjectNode().put("status", !ok ? "starting" : why.isEmpty() ? "ready" : "degraded");
      if (!why.isEmpty()) {
        var list = body.putArray("problems");
        why.forEach(list::add);
      }
      sendJson(ctx, ok ? 200 : 503, body);
    });
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
    router.route("/api/*").handler(this::authorize);
    if (changes != null) {
      // Before the no-engine answer: a probes-only process follows the active cloud too.
      router.put("/api/v1/verdicts/:domain/active")
          .handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
          .handler(this::reportActive);
      router.get("/api/v1/verdicts/:domain/active").handler(this::active);
    }
    if (engine == null) {
      router.route("/api/*").handler(ctx -> error(ctx, 404,
          "this process does not run the engine role (roles in its config): ask an observer for verdicts and SLOs"));
    }
    router.get("/api/v1/verdicts/stream").handler(this::stream);
    router.get("/api/v1/verdicts").handler(this::allVerdicts);
    router.get("/api/v1/verdicts/:domain").handler(this::oneVerdict);
    router.get("/api/v1/slos").handler(this::slos);
    router.get("/api/v1/slos/history").handler(this::sloHistory);
    router.get("/api/v1/probes").handler(this::probes);
    router.get("/api/v1/paths").handler(this::paths);
    router.get("/api/v1/maintenance").handler(this::maintenance);
    router.post("/api/v1/maintenance")
        .handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
        .handler(this::addMaintenance);
    router.delete("/api/v1/maintenance/:id").handler(this::removeMaintenance);
    router.get("/openapi.yaml").handler(ctx -> {
      try (java.io.InputStream in = ApiServer.class.getResourceAsStream("/openapi.yaml")) {
        ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8")
            .end(io.vertx.core.buffer.Buffer.buffer(in.readAllBytes()));
      } catch (java.io.IOException | NullPointerException e) {
        error(ctx, 500, "the OpenAPI description is missing from this build");
      }
    });
    router.route().last().handler(ctx -> error(ctx, 404, "no such resource: " + ctx.request().path()));
    router.errorHandler(405, ctx -> error(ctx, 405, "method " + ctx.request().method() + " not allowed here"));
    router.errorHandler(413, ctx -> error(ctx, 413, "request body over " + MAX_BODY_BYTES + " bytes"));
    router.errorHandler(500, ctx -> {
      log.error("API request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      error(ctx, 500, "internal error");
    });

    heartbeatTimer = vertx.setPeriodic(STREAM_HEARTBEAT_MS, id -> streams.forEach(c ->
        c.context().runOnContext(v -> {
          if (!c.response().closed()) {
            c.response().write(": keep-alive\n\n");
          }
        })));
    if (engine != null) {
      // Burn-rate history for the page's sparklines: one sample per engine tick.
      board.sample(slos.current());
      sampleTimer = vertx.setPeriodic(Math.max(1000, engine.spec().settings().tick().toMillis()),
          id -> board.sample(slos.current()));
    }
    return vertx.createHttpServer(new HttpServerOptions().setHost(settings.host()).setPort(settings.port()))
        .requestHandler(router)
        .listen()
        .map(s -> {
          server = s;
          return s.actualPort();
        });
  }

  public Future<Void> stop() {
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    if (sampleTimer >= 0) {
      vertx.cancelTimer(sampleTimer);
    }
    streams.forEach(c -> c.context().runOnContext(v -> {
      if (!c.response().ended()) {
        c.response().end();
      }
    }));
    streams.clear();
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void authorize(RoutingContext ctx) {
    boolean write = ctx.request().method() != io.vertx.core.http.HttpMethod.GET
        && ctx.request().method() != io.vertx.core.http.HttpMethod.HEAD;
    List<Secret> read = settings.readTokens();
    List<Secret> admin = settings.adminTokens();
    Optional<String> token = bearer(ctx);
    boolean isAdmin = token.isPresent() && admin.stream().anyMatch(s -> s.matches(token.get()));
    boolean isReader = token.isPresent() && read.stream().anyMatch(s -> s.matches(token.get()));
    if (write) {
      if (isAdmin) {
        ctx.next();
      } else if (isReader) {
        error(ctx, 403, "this token may read but not write");
      } else {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        error(ctx, 401, admin.isEmpty() ? "writes are disabled: no admin token is configured"
            : "an admin bearer token is required");
      }
      return;
    }
    if (read.isEmpty() || isReader || isAdmin) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, 401, "a bearer token is required");
    }
  }

  private static Optional<String> bearer(RoutingContext ctx) {
    String h = ctx.request().getHeader("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return Optional.of(h.substring(7).trim());
  }

  /**
   * An entity tag over what a verdict says (recommendation, since, reason, each cloud's role,
   * health, fault, readiness), not over its timestamps: a poller that sends If-None-Match gets
   * 304 until something changes, although generatedAt moves on every tick.
   */
  static String etag(List<Verdict> verdicts) {
    StringBuilder b = new StringBuilder();
    for (Verdict v : verdicts) {
      b.append(v.domain()).append('|').append(v.recommendation()).append('|').append(v.since()).append('|')
          .append(v.reason()).append('|');
      v.clouds().forEach((cloud, c) -> b.append(cloud).append(':').append(c.role()).append(':').append(c.health())
          .append(':').append(c.fault()).append(':').append(c.ready()).append(';'));
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "\"" + java.util.HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Answers 304 when the client's If-None-Match names the current tag; sets ETag either way. */
  private static boolean notModified(RoutingContext ctx, String etag) {
    ctx.response().putHeader("ETag", etag);
    String match = ctx.request().getHeader("If-None-Match");
    if (match != null && (match.equals(etag) || match.equals("W/" + etag) || match.trim().equals("*"))) {
      ctx.response().setStatusCode(304).end();
      return true;
    }
    return false;
  }

  private void allVerdicts(RoutingContext ctx) {
    if (notModified(ctx, etag(engine.current()))) {
      return;
    }
    ObjectNode body = json.createObjectNode();
    body.set("observer", verdictJson.observer(engine.spec().observer()));
    body.put("generatedAt", clock.instant().toString());
    ArrayNode list = body.putArray("verdicts");
    engine.current().forEach(v -> list.add(verdictJson.encode(v)));
    sendJson(ctx, 200, body);
  }

  private void oneVerdict(RoutingContext ctx) {
    String domain = ctx.pathParam("domain");
    if (engine.domain(domain).isEmpty()) {
      error(ctx, 404, "unknown domain '" + domain + "'");
      return;
    }
    Optional<Verdict> v = engine.current(domain);
    if (v.isEmpty()) {
      ctx.response().putHeader("Retry-After", "5");
      error(ctx, 503, "no verdict for '" + domain + "' yet: the engine has not judged it");
      return;
    }
    ObjectNode body = verdictJson.encode(v.get());
    if (notModified(ctx, etag(List.of(v.get())))) {
      return;
    }
    sendJson(ctx, 200, body);
  }

  /** Who made a change, as the caller names itself in {@code by}: a short name, never a credential. */
  private static final java.util.regex.Pattern BY = java.util.regex.Pattern.compile("[A-Za-z0-9._:@/+-]{1,128}");

  /** The body's (or query's) {@code by}, {@link ApiChanges#UNNAMED} when absent; null when malformed. */
  private static String by(JsonNode value) {
    if (value == null || value.isNull()) {
      return ApiChanges.UNNAMED;
    }
    return value.isTextual() && BY.matcher(value.asText()).matches() ? value.asText() : null;
  }

  private static final String BY_USAGE = "'by' names who reports it: 1 to 128 letters, digits or ._:@/+-";

  private void reportActive(RoutingContext ctx) {
    String domain = ctx.pathParam("domain");
    if (changes.active(domain).isEmpty()) {
      error(ctx, 404, "unknown domain '" + domain + "'");
      return;
    }
    String usage = "body must be JSON like {\"cloud\": \"secondary\", \"by\": \"controller-eu\"}";
    JsonNode body;
    try {
      body = json.readTree(ctx.body().asString());
    } catch (Exception e) {
      error(ctx, 400, usage);
      return;
    }
    JsonNode cloud = body == null ? null : body.get("cloud");
    if (cloud == null || !cloud.isTextual()) {
      error(ctx, 400, usage);
      return;
    }
    String by = by(body.get("by"));
    if (by == null) {
      error(ctx, 400, BY_USAGE);
      return;
    }
    java.util.concurrent.CompletionStage<Boolean> durable;
    try {
      durable = changes.reportActive(domain, cloud.asText(), by);
    } catch (IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    log.info("{} reports {} now active on {}", by, domain, cloud.asText());
    if (engine != null) {
      engine.evaluate();
    }
    // Answered once the switch is on disk (or the disk refused it: it holds in memory, retried).
    Future.fromCompletionStage(durable, vertx.getOrCreateContext()).onComplete(ar -> {
      if (engine != null) {
        oneVerdict(ctx);
      } else {
        activeAnswer(ctx, domain, ar.succeeded() && ar.result());
      }
    });
  }

  /** {@code GET /api/v1/verdicts/{domain}/active}: the cloud serving the domain, since when, reported by whom. */
  private void active(RoutingContext ctx) {
    String domain = ctx.pathParam("domain");
    if (changes.active(domain).isEmpty()) {
      error(ctx, 404, "unknown domain '" + domain + "'");
      return;
    }
    activeAnswer(ctx, domain, null);
  }

  private void activeAnswer(RoutingContext ctx, String domain, Boolean durable) {
    ApiChanges.Active a = changes.active(domain).orElseThrow();
    ObjectNode body = json.createObjectNode().put("domain", a.domain()).put("active", a.cloud());
    if (a.since() == null) {
      body.putNull("since");
      body.putNull("by");
    } else {
      body.put("since", a.since().toString());
      body.put("by", a.by());
    }
    if (durable != null) {
      body.put("durable", durable);
    }
    sendJson(ctx, 200, body);
  }

  /**
   * How long an SLO series may go without events before it is shown as silent ("no data"): the
   * engine's path silence, plus one tick because the SLO figures are refreshed once per tick.
   */
  static Duration sloSilence(EngineSettings settings) {
    return settings.pathSilence().plus(settings.tick());
  }

  private void slos(RoutingContext ctx) {
    Instant now = clock.instant();
    Duration silence = sloSilence(engine.spec().settings());
    ObjectNode body = json.createObjectNode();
    body.put("generatedAt", now.toString());
    body.put("silenceSeconds", silence.toSeconds());
    body.put("noDataSeconds", dev.tandem.engine.budget.SloEngine.NO_DATA_WINDOW.toSeconds());
    ArrayNode list = body.putArray("slos");
    List<SloStatus> statuses = slos.current().isEmpty() ? slos.evaluate() : slos.current();
    for (SloStatus s : statuses) {
      ObjectNode n = list.addObject();
      n.put("slo", s.slo());
      n.put("cloud", s.cloud());
      n.put("objective", Double.parseDouble(s.objective()));
      n.put("window", s.window());
      n.put("budgetingMethod", s.method());
      if (s.sli() == null) {
        n.putNull("sli");
      } else {
        n.put("sli", s.sli());
      }
      n.put("good", s.good());
      n.put("total", s.total());
      ObjectNode budget = n.putObject("errorBudget");
      budget.put("remaining", s.budgetRemaining());
      budget.put("remainingEvents", s.budgetRemainingEvents());
      budget.put("excludedByMaintenance", s.excluded());
      ObjectNode burn = n.putObject("burnRates");
      s.burnRates().forEach(burn::put);
      ArrayNode tiers = n.putArray("alerts");
      for (SloStatus.TierState t : s.tiers()) {
        ObjectNode a = tiers.addObject();
        a.put("tier", t.name());
        a.put("severity", t.severity());
        a.put("long", t.longWindow());
        a.put("short", t.shortWindow());
        a.put("factor", t.factor());
        a.put("errorRatioThreshold", t.threshold());
        a.put("exhaustion", t.exhaustion());
        a.put("longBurnRate", t.longBurn());
        a.put("shortBurnRate", t.shortBurn());
        a.put("firing", t.firing());
      }
      ArrayNode firing = n.putArray("firing");
      s.firing().forEach(t -> firing.add(t.name()));
      if (s.timeToExhaustion() == null) {
        n.putNull("timeToExhaustion");
      } else {
        n.put("timeToExhaustion", s.timeToExhaustion().toString());
      }
      // No data is not good data: a series whose source went quiet says so instead of showing a
      // budget that only describes the past.
      if (Double.isFinite(s.coverage())) {
        n.put("coverage", s.coverage());
      } else {
        n.putNull("coverage");
      }
      if (s.lastEventAt() == null) {
        n.putNull("lastEventAt");
        n.putNull("lastEventAgeSeconds");
      } else {
        n.put("lastEventAt", s.lastEventAt().toString());
        n.put("lastEventAgeSeconds", Math.max(0, Duration.between(s.lastEventAt(), now).toMillis() / 1000.0));
      }
      n.put("silent", s.silentFor(silence, now));
      n.put("noData", s.noData());
    }
    sendJson(ctx, 200, body);
  }

  /** Burn-rate history per SLO and cloud, oldest sample first (at most {@link StatusBoard#HISTORY}). */
  private void sloHistory(RoutingContext ctx) {
    ObjectNode body = json.createObjectNode();
    body.put("generatedAt", clock.instant().toString());
    body.put("intervalSeconds", Math.max(1, engine.spec().settings().tick().toSeconds()));
    body.put("capacity", StatusBoard.HISTORY);
    ArrayNode list = body.putArray("series");
    for (SloStatus s : slos.current()) {
      ObjectNode n = list.addObject();
      n.put("slo", s.slo());
      n.put("cloud", s.cloud());
      ArrayNode samples = n.putArray("samples");
      for (StatusBoard.BurnSample b : board.history(s.slo(), s.cloud())) {
        ObjectNode x = samples.addObject();
        x.put("at", b.at().toString());
        if (Double.isFinite(b.budgetRemaining())) {
          x.put("budgetRemaining", b.budgetRemaining());
        } else {
          x.putNull("budgetRemaining");   // NaN is not JSON
        }
        ObjectNode rates = x.putObject("burnRates");
        b.burnRates().forEach(rates::put);
      }
    }
    sendJson(ctx, 200, body);
  }

  /** The latest outcome of every probe step per vantage and cloud, with its age. */
  private void probes(RoutingContext ctx) {
    java.time.Instant now = clock.instant();
    long window = engine.spec().settings().probeWindow().toSeconds();
    ObjectNode body = json.createObjectNode();
    body.put("generatedAt", now.toString());
    body.put("windowSeconds", window);
    ArrayNode vantages = body.putArray("vantages");
    engine.spec().vantages().forEach(v -> vantages.add(v.id()));
    ArrayNode clouds = body.putArray("clouds");
    engine.spec().clouds().forEach(clouds::add);
    body.put("maxCells", StatusBoard.MAX_CELLS);
    body.put("droppedCells", board.droppedCells());
    ArrayNode cells = body.putArray("cells");
    for (StatusBoard.ProbeCell c : board.cells()) {
      ObjectNode n = cells.addObject();
      n.put("vantage", c.vantage());
      n.put("cloud", c.cloud());
      n.put("journey", c.journey());
      n.put("step", c.step());
      n.put("ok", c.ok());
      n.put("at", c.at().toString());
      double age = Math.max(0, java.time.Duration.between(c.at(), now).toMillis() / 1000.0);
      n.put("ageSeconds", age);
      // An outcome older than the engine's window no longer counts for the verdict.
      n.put("fresh", age <= window);
      n.put("notRun", board.notReachedByLatestRun(c));
      n.put("latencyMs", c.latencyMs());
      n.put("attempts", c.attempts());
      if (c.error() == null) {
        n.putNull("error");
      } else {
        n.put("error", c.error());
      }
    }
    sendJson(ctx, 200, body);
  }

  /** Each configured telemetry path: its latest heartbeat and whether it is alive. */
  private void paths(RoutingContext ctx) {
    java.time.Instant now = clock.instant();
    long silence = engine.spec().settings().pathSilence().toSeconds();
    java.util.Map<String, java.time.Instant> beats = board.heartbeats();
    ObjectNode body = json.createObjectNode();
    body.put("generatedAt", now.toString());
    body.put("silenceSeconds", silence);
    body.put("droppedPaths", board.droppedPaths());
    ArrayNode list = body.putArray("paths");
    for (dev.tandem.engine.judge.PathSpec p : engine.spec().paths()) {
      ObjectNode n = list.addObject();
      n.put("id", p.id());
      n.put("cloud", p.cloud());
      java.time.Instant last = beats.get(p.id());
      if (last == null) {
        n.putNull("lastHeartbeat");
        n.putNull("ageSeconds");
        n.put("alive", false);
      } else {
        double age = Math.max(0, java.time.Duration.between(last, now).toMillis() / 1000.0);
        n.put("lastHeartbeat", last.toString());
        n.put("ageSeconds", age);
        n.put("alive", age <= silence);
      }
    }
    sendJson(ctx, 200, body);
  }

  private void maintenance(RoutingContext ctx) {
    ObjectNode body = json.createObjectNode();
    ArrayNode list = body.putArray("maintenance");
    for (MaintenanceWindow m : slos.maintenance()) {
      ObjectNode n = list.addObject();
      n.put("id", m.id());
      if (m.slo() != null) {
        n.put("slo", m.slo());
      }
      if (m.cloud() != null) {
        n.put("cloud", m.cloud());
      }
      n.put("start", m.start().toString());
      n.put("end", m.end().toString());
      n.put("reason", m.reason());
    }
    sendJson(ctx, 200, body);
  }

  private void addMaintenance(RoutingContext ctx) {
    JsonNode body;
    try {
      body = json.readTree(ctx.body().asString());
    } catch (Exception e) {
      body = null;
    }
    String usage = "body must be JSON like {\"start\": \"2026-11-26T22:00:00Z\", \"end\": \"2026-11-26T23:00:00Z\","
        + " \"slo\": \"optional\", \"cloud\": \"optional\", \"reason\": \"...\", \"id\": \"optional\","
        + " \"by\": \"optional\"}";
    if (body == null || !body.isObject() || !body.hasNonNull("start") || !body.hasNonNull("end")) {
      error(ctx, 400, usage);
      return;
    }
    String by = by(body.get("by"));
    if (by == null) {
      error(ctx, 400, BY_USAGE);
      return;
    }
    MaintenanceWindow m;
    try {
      String id = body.hasNonNull("id") ? body.get("id").asText() : "mw-" + java.util.UUID.randomUUID();
      String slo = body.hasNonNull("slo") ? body.get("slo").asText() : null;
      if (slo != null && slos.specs().stream().noneMatch(s -> s.name().equals(slo))) {
        error(ctx, 400, "unknown SLO '" + slo + "'");
        return;
      }
      String cloud = body.hasNonNull("cloud") ? body.get("cloud").asText() : null;
      if (cloud != null && engine != null && !engine.spec().clouds().contains(cloud)) {
        error(ctx, 400, "unknown cloud '" + cloud + "'");
        return;
      }
      if (id.isBlank() || id.length() > 128) {
        error(ctx, 400, "'id' must have 1 to 128 characters");
        return;
      }
      m = new MaintenanceWindow(id, slo, cloud,
          java.time.OffsetDateTime.parse(body.get("start").asText()).toInstant(),
          java.time.OffsetDateTime.parse(body.get("end").asText()).toInstant(),
          body.hasNonNull("reason") ? body.get("reason").asText() : "");
    } catch (java.time.format.DateTimeParseException | IllegalArgumentException e) {
      error(ctx, 400, e.getMessage() + "; " + usage);
      return;
    }
    java.util.concurrent.CompletionStage<Boolean> durable;
    try {
      durable = changes.addMaintenance(m, by);
    } catch (IllegalStateException e) {
      error(ctx, 409, e.getMessage());
      return;
    }
    log.info("maintenance window {} added by {}: {} to {} ({})", m.id(), by, m.start(), m.end(), m.reason());
    Future.fromCompletionStage(durable, vertx.getOrCreateContext()).onComplete(ar ->
        sendJson(ctx, 201, json.createObjectNode().put("id", m.id()).put("durable", ar.succeeded() && ar.result())));
  }

  private void removeMaintenance(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    List<String> named = ctx.queryParam("by");
    String by = by(named.isEmpty() ? null : json.getNodeFactory().textNode(named.get(0)));
    if (by == null) {
      error(ctx, 400, BY_USAGE);
      return;
    }
    java.util.concurrent.CompletionStage<Boolean> durable;
    try {
      durable = changes.removeMaintenance(id, by);
    } catch (java.util.NoSuchElementException e) {
      error(ctx, 404, e.getMessage());
      return;
    } catch (IllegalStateException e) {
      error(ctx, 409, e.getMessage());
      return;
    }
    log.info("maintenance window {} removed by {}", id, by);
    Future.fromCompletionStage(durable, vertx.getOrCreateContext())
        .onComplete(ar -> ctx.response().setStatusCode(204).end());
  }

  private void stream(RoutingContext ctx) {
    if (streams.size() >= MAX_STREAM_CLIENTS) {
      ctx.response().putHeader("Retry-After", "30");
      error(ctx, 503, "too many stream subscribers (" + MAX_STREAM_CLIENTS + ")");
      return;
    }
    HttpServerResponse response = ctx.response();
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("X-Accel-Buffering", "no");
    StreamClient client = new StreamClient(response, vertx.getOrCreateContext());
    streams.add(client);
    response.closeHandler(v -> streams.remove(client));
    response.exceptionHandler(e -> streams.remove(client));
    response.write(": connected\n\n");
    engine.current().forEach(v -> write(client, v));
  }

  private void publish(Verdict v) {
    for (StreamClient c : streams) {
      c.context().runOnContext(x -> write(c, v));
    }
  }

  private void write(StreamClient c, Verdict v) {
    if (c.response().closed()) {
      streams.remove(c);
      return;
    }
    if (c.response().writeQueueFull()) {
      // A subscriber that does not read is cut off rather than buffered without bound.
      log.warn("dropping a verdict stream subscriber that stopped reading");
      streams.remove(c);
      c.response().reset();
      return;
    }
    c.response().write("event: verdict\ndata: " + verdictJson.encode(v) + "\n\n");
  }

  private void index(RoutingContext ctx) {
    String html = "<!doctype html><html lang=en><meta charset=utf-8><title>Tandem</title>"
        + "<body style='font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto'>"
        + "<h1>Tandem</h1><p>Observer <b>" + escape(engine == null ? "(probes only)" : engine.spec().observer().id()) + "</b>.</p><ul>"
        + "<li><a href='/api/v1/verdicts'>/api/v1/verdicts</a>: every failover domain's verdict</li>"
        + "<li><a href='/api/v1/verdicts/stream'>/api/v1/verdicts/stream</a>: verdict changes (SSE)</li>"
        + "<li><a href='/metrics'>/metrics</a>: Prometheus metrics</li>"
        + "<li><a href='/openapi.yaml'>/openapi.yaml</a>: the API described in OpenAPI 3</li>"
        + "<li><a href='/healthz'>/healthz</a>, <a href='/readyz'>/readyz</a></li></ul></body></html>";
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
  }

  private void sendJson(RoutingContext ctx, int status, JsonNode body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
  }

  private void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) {
      return;
    }
    sendJson(ctx, status, json.createObjectNode().put("error", message).put("status", status));
  }
}
