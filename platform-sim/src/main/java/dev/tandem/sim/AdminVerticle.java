package dev.tandem.sim;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/** The fault admin API, on its own port so that a cloud's faults never reach it. */
final class AdminVerticle extends VerticleBase {
  private final PlatformSimulator sim;
  private final String host;
  private final int port;
  private HttpServer server;
  private volatile int boundPort = -1;

  AdminVerticle(PlatformSimulator sim, String host, int port) {
    this.sim = sim;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(16 * 1024));
    router.get("/_sim/faults").handler(ctx -> json(ctx, 200, plan()));
    router.put("/_sim/faults/:cloud").handler(this::putFaults);
    router.delete("/_sim/faults/:cloud").handler(ctx -> withCloud(ctx, cloud ->
        sim.applyFaults(cloud, CloudFaults.none()).onComplete(ar -> ctx.response().setStatusCode(204).end())));
    router.get("/_sim/active").handler(ctx -> json(ctx, 200, active()));
    router.put("/_sim/active").handler(this::putActive);
    router.get("/_sim/status").handler(ctx -> json(ctx, 200, status()));
    router.errorHandler(404, ctx -> error(ctx, 404, "no route " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(413, ctx -> error(ctx, 413, "body too large"));
    return vertx
        .createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
        .requestHandler(router)
        .listen()
        .map(s -> {
          server = s;
          boundPort = s.actualPort();
          return s;
        });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  int port() {
    return boundPort;
  }

  private void putFaults(RoutingContext ctx) {
    withCloud(ctx, cloud -> {
      JsonObject body = body(ctx);
      if (body == null) {
        return;
      }
      CloudFaults faults;
      try {
        faults = FaultsJson.parse(body);
      } catch (IllegalArgumentException e) {
        error(ctx, 400, e.getMessage());
        return;
      }
      // Answer once the faults hold: after "down", the next connection is refused.
      sim.applyFaults(cloud, faults)
          .onComplete(ar -> json(ctx, 200, FaultsJson.toJson(faults).put("cloud", cloud)));
    });
  }

  private void putActive(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return;
    }
    for (String key : body.fieldNames()) {
      if (!"cloud".equals(key)) {
        error(ctx, 400, "unknown key '" + key + "', expected cloud");
        return;
      }
    }
    Object cloud = body.getValue("cloud");
    if (!(cloud instanceof String) || !sim.clouds().contains(cloud)) {
      error(ctx, 400, "cloud: must be one of " + sim.clouds());
      return;
    }
    sim.setActive((String) cloud);
    json(ctx, 200, active());
  }

  private void withCloud(RoutingContext ctx, java.util.function.Consumer<String> action) {
    String cloud = ctx.pathParam("cloud");
    if (!sim.clouds().contains(cloud)) {
      error(ctx, 404, "unknown cloud '" + cloud + "', expected one of " + sim.clouds());
      return;
    }
    action.accept(cloud);
  }

  private JsonObject plan() {
    FaultPlan plan = sim.faultPlan();
    JsonObject clouds = new JsonObject();
    plan.clouds().forEach((cloud, faults) -> clouds.put(cloud, FaultsJson.toJson(faults)));
    return new JsonObject().put("active", plan.active()).put("clouds", clouds);
  }

  private JsonObject active() {
    return new JsonObject().put("active", sim.active()).put("standby", sim.standby());
  }

  private JsonObject status() {
    JsonObject clouds = new JsonObject();
    for (String cloud : sim.clouds()) {
      JsonObject c = new JsonObject()
          .put("baseUrl", sim.baseUrl(cloud))
          .put("role", cloud.equals(sim.active()) ? "active" : "standby");
      sim.replicationLagSeconds(cloud).ifPresent(lag -> c.put("replicationLagSeconds", lag));
      clouds.put(cloud, c);
    }
    return active().put("traffic", sim.trafficUrl()).put("clouds", clouds);
  }

  private JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        error(ctx, 400, "a JSON object body is required");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      error(ctx, 400, "malformed JSON body");
      return null;
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message));
  }
}
