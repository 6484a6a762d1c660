package dev.tandem.controller.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.controller.Ballot;
import dev.tandem.controller.Decision;
import dev.tandem.controller.DomainPolicy;
import dev.tandem.controller.Gate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;

/**
 * The controller's HTTP endpoint: {@code /metrics} (Prometheus), {@code /status} (JSON),
 * {@code /healthz}, and the gating switch ({@code GET|PUT /api/v1/gate}, writes need the admin
 * token). Bodies over 4 KiB get 413.
 */
final class ControllerHttp {
  private final Vertx vertx;
  private final ControllerConfig.Api settings;
  private final ControllerService service;
  private final ObjectMapper json = new ObjectMapper();
  private HttpServer server;
  private volatile int port = -1;

  ControllerHttp(Vertx vertx, ControllerConfig.Api settings, ControllerService service) {
    this.vertx = vertx;
    this.settings = settings;
    this.service = service;
  }

  Future<Integer> start() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(4 * 1024));
    router.get("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("ok\n"));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(service.registry().scrape()));
    router.get("/status").handler(ctx -> send(ctx, 200, status()));
    router.get("/api/v1/gate").handler(ctx -> send(ctx, 200, gate()));
    router.put("/api/v1/gate").handler(this::putGate);
    router.errorHandler(404, ctx -> error(ctx, 404, "no route " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(413, ctx -> error(ctx, 413, "body too large"));
    return vertx.createHttpServer(new HttpServerOptions().setHost(settings.host()).setPort(settings.port()))
        .requestHandler(router).listen().map(s -> {
          server = s;
          port = s.actualPort();
          return port;
        });
  }

  int port() {
    return port;
  }

  Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void putGate(RoutingContext ctx) {
    if (settings.adminToken().isEmpty()) {
      error(ctx, 401, "the admin API is disabled: no api.adminToken is configured");
      return;
    }
    String auth = ctx.request().getHeader("Authorization");
    String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
    if (!settings.adminToken().get().matches(token)) {
      error(ctx, 401, "an admin bearer token is required");
      return;
    }
    JsonNode body;
    try {
      body = json.readTree(ctx.body().asString());
    } catch (Exception e) {
      body = null;
    }
    if (body == null || !body.isObject() || !body.path("closed").isBoolean()) {
      error(ctx, 400, "body must be JSON like {\"closed\": true, \"reason\": \"maintenance\"}");
      return;
    }
    for (java.util.Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!key.equals("closed") && !key.equals("reason")) {
        error(ctx, 400, "unknown key '" + key + "', expected closed and reason");
        return;
      }
    }
    String reason = body.path("reason").asText("no reason given");
    service.setGate(body.get("closed").asBoolean(), reason.length() > 200 ? reason.substring(0, 200) : reason);
    send(ctx, 200, gate());
  }

  private ObjectNode gate() {
    Gate g = service.gate();
    ObjectNode n = json.createObjectNode();
    n.put("closed", g.closed());
    if (g.closed()) {
      n.put("why", g.why());
    }
    service.config().gateFile().ifPresent(f -> n.put("file", f.toString()));
    return n;
  }

  private ObjectNode status() {
    ObjectNode root = json.createObjectNode();
    root.put("quorum", service.config().quorum());
    root.put("antiFlapSeconds", service.config().antiFlap().toSeconds());
    root.set("gate", gate());
    ArrayNode observers = root.putArray("observers");
    for (ControllerConfig.Observer o : service.observers()) {
      ObjectNode n = observers.addObject();
      n.put("id", o.id());
      n.put("url", o.url());
      n.put("reachable", service.reachable(o.id()));
      service.lastProblem(o.id()).ifPresent(p -> n.put("problem", p));
    }
    ArrayNode domains = root.putArray("domains");
    for (DomainPolicy d : service.config().domains()) {
      ObjectNode n = domains.addObject();
      n.put("id", d.id());
      n.put("active", service.controller().active(d.id()));
      Instant last = service.controller().lastSwitch(d.id());
      if (last != null) {
        n.put("lastSwitch", last.toString());
      }
      service.lastDecision(d.id()).ifPresent(dec -> n.set("lastDecision", decision(dec)));
      service.recovery(d.id()).ifPresent(r -> {
        ObjectNode rn = n.putObject("lastOutage");
        rn.put("troubleSeen", r.troubleSeen().toString());
        if (r.switchedAt() != null) {
          rn.put("switchedAt", r.switchedAt().toString());
          rn.put("from", r.from());
          rn.put("to", r.to());
        }
        r.timeToSwitch().ifPresent(x -> rn.put("timeToSwitchSeconds", x.toMillis() / 1000.0));
        r.timeToRecover().ifPresent(x -> rn.put("rtoSeconds", x.toMillis() / 1000.0));
        if (r.lagAtSwitchSeconds() != null) {
          rn.put("rpoSeconds", r.lagAtSwitchSeconds());
        }
      });
    }
    return root;
  }

  private ObjectNode decision(Decision d) {
    ObjectNode n = json.createObjectNode();
    n.put("at", d.at().toString());
    n.put("outcome", d.outcome().name());
    n.put("reason", d.reason().name());
    n.put("explanation", d.explanation());
    ArrayNode votes = n.putArray("votes");
    for (Ballot b : d.votes()) {
      votes.addObject().put("observer", b.observer()).put("vote", b.vote().name()).put("note", b.note());
    }
    return n;
  }

  private void send(RoutingContext ctx, int status, ObjectNode body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
  }

  private void error(RoutingContext ctx, int status, String message) {
    send(ctx, status, json.createObjectNode().put("error", message));
  }
}
