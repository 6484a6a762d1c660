package dev.tandem.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
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
  private final PrometheusMeterRegistry registry;
  private final Clock clock;
  private final BooleanSupplier ready;
  private final ObjectMapper json = new ObjectMapper();
  private final VerdictJson verdictJson = new VerdictJson(json);
  private final Set<StreamClient> streams = ConcurrentHashMap.newKeySet();
  private HttpServer server;
  private long heartbeatTimer = -1;

  private record StreamClient(HttpServerResponse response, Context context) {}

  public ApiServer(Vertx vertx, TandemConfig.Api settings, VerdictEngine engine,
      PrometheusMeterRegistry registry, Clock clock, BooleanSupplier ready) {
    this.vertx = vertx;
    this.settings = settings;
    this.engine = engine;
    this.registry = registry;
    this.clock = clock;
    this.ready = ready;
    engine.addListener((prev, next) -> publish(next));
  }

  /** Starts listening; the future carries the bound port. */
  public Future<Integer> start() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "no-store");
      ctx.next();
    });
    router.get("/healthz").handler(ctx -> sendJson(ctx, 200, json.createObjectNode().put("status", "ok")));
    router.get("/readyz").handler(ctx -> {
      boolean ok = ready.getAsBoolean();
      sendJson(ctx, ok ? 200 : 503, json.createObjectNode().put("status", ok ? "ready" : "starting"));
    });
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
    router.route("/api/*").handler(this::authorize);
    router.get("/api/v1/verdicts/stream").handler(this::stream);
    router.get("/api/v1/verdicts").handler(this::allVerdicts);
    router.get("/api/v1/verdicts/:domain").handler(this::oneVerdict);
    router.put("/api/v1/verdicts/:domain/active")
        .handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES))
        .handler(this::reportActive);
    router.get("/api/v1/slos").handler(ctx -> error(ctx, 501,
        "per-SLO budgets and burn rates are not computed by this build yet"));
    router.get("/").handler(this::index);
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
    streams.forEach(c -> c.context().runOnContext(v -> c.response().end()));
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

  private void allVerdicts(RoutingContext ctx) {
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
    sendJson(ctx, 200, verdictJson.encode(v.get()));
  }

  private void reportActive(RoutingContext ctx) {
    String domain = ctx.pathParam("domain");
    if (engine.domain(domain).isEmpty()) {
      error(ctx, 404, "unknown domain '" + domain + "'");
      return;
    }
    JsonNode body;
    try {
      body = json.readTree(ctx.body().asString());
    } catch (Exception e) {
      error(ctx, 400, "body must be JSON like {\"cloud\": \"secondary\"}");
      return;
    }
    JsonNode cloud = body == null ? null : body.get("cloud");
    if (cloud == null || !cloud.isTextual()) {
      error(ctx, 400, "body must be JSON like {\"cloud\": \"secondary\"}");
      return;
    }
    try {
      engine.reportActive(domain, cloud.asText());
    } catch (IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    log.info("failover controller reports {} now active on {}", domain, cloud.asText());
    engine.evaluate();
    oneVerdict(ctx);
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
        + "<h1>Tandem</h1><p>Observer <b>" + escape(engine.spec().observer().id()) + "</b>.</p><ul>"
        + "<li><a href='/api/v1/verdicts'>/api/v1/verdicts</a>: every failover domain's verdict</li>"
        + "<li><a href='/api/v1/verdicts/stream'>/api/v1/verdicts/stream</a>: verdict changes (SSE)</li>"
        + "<li><a href='/metrics'>/metrics</a>: Prometheus metrics</li>"
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
