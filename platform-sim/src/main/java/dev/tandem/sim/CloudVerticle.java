package dev.tandem.sim;

import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated cloud: the platform's HTTP API, its order database, replication in from the
 * active cloud when this one is standby, and its telemetry. All state lives on this verticle's
 * event loop; faults and the active role are read from atomics that any thread may set.
 */
final class CloudVerticle extends VerticleBase {
  static final String VANTAGE_HEADER = "X-Tandem-Vantage";
  static final int MAX_BODY_BYTES = 16 * 1024;
  static final String READ_REPLICA_MESSAGE = "read replica: writes go to the active cloud";
  private static final Logger log = LoggerFactory.getLogger(CloudVerticle.class);
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);
  private static final Duration REFUSE_WAIT = Duration.ofSeconds(5);
  private static final Duration REFUSE_PROBE_EVERY = Duration.ofMillis(5);
  private static final Pattern SKU = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int MAX_QTY = 10_000;
  private static final int MAX_CUSTOMER_CHARS = 128;
  private static final int MAX_KEY_CHARS = 255;

  private final CloudSettings cloud;
  private final SimSettings settings;
  private final Dice dice;
  private final AtomicReference<CloudFaults> faults;
  private final BooleanSupplier active;
  private final ReplicationInbox inbox;
  private final ReplicationInbox peerInbox;

  private volatile double lastLagSeconds;
  /** When the newest applied write was written on the active cloud; a stalled replica's lag counts from it. */
  private volatile Instant lastAppliedWrittenAt;
  private OrderBook book;
  private CloudTelemetry telemetry;
  private Router router;
  private Context context;
  /** The listening socket; null while the cloud is down (connections are then refused). */
  private HttpServer server;
  /** Serialises closing and reopening the listening socket; only touched on this verticle's context. */
  private Future<Void> listening = Future.succeededFuture();
  private boolean stopping;
  /** Checks that a closed socket really refuses connections; created on first use. */
  private NetClient probeClient;
  private volatile int boundPort = -1;

  CloudVerticle(
      CloudSettings cloud,
      SimSettings settings,
      Dice dice,
      AtomicReference<CloudFaults> faults,
      BooleanSupplier active,
      ReplicationInbox inbox,
      ReplicationInbox peerInbox) {
    this.cloud = cloud;
    this.settings = settings;
    this.dice = dice;
    this.faults = faults;
    this.active = active;
    this.inbox = inbox;
    this.peerInbox = peerInbox;
  }

  @Override
  public Future<?> start() {
    context = vertx.getOrCreateContext();
    lastAppliedWrittenAt = settings.clock().instant();
    book =
        new OrderBook(settings.clock(), dice, settings.maxOrders(), settings.maxIdempotencyKeys(),
            settings.initialStock(), this::shipToStandby);
    // Building exporters loads classes and creates HTTP clients: not on the event loop.
    return vertx
        .executeBlocking(() -> new CloudTelemetry(
            cloud, settings, signal -> faults.get().exports(signal), this::reportedLag))
        .compose(built -> {
          telemetry = built;
          return startServing();
        });
  }

  private Future<HttpServer> startServing() {
    long applyEvery = Math.max(20, Math.min(100, settings.replicationDelay().toMillis() / 4));
    vertx.setPeriodic(applyEvery, id -> applyReplicated());
    if (active.getAsBoolean()) {
      book.touchCanary();
    }
    vertx.setPeriodic(HEARTBEAT.toMillis(), id -> {
      if (active.getAsBoolean() && !faults.get().down()) {
        // The canary's rewrite is the heartbeat: it keeps the standby's lag fresh when nobody
        // writes, and gives read-only probes of the standby a replicated order to read.
        book.touchCanary();
      }
    });
    vertx.setPeriodic(settings.restockInterval().toMillis(), id -> book.restock());
    vertx.setPeriodic(settings.metricExportInterval().toMillis(), id -> telemetry.collectAndExport());

    router = router();
    return listen(cloud.port()).map(s -> {
      boundPort = s.actualPort();
      // Faults set before the start apply now: a cloud that is down does not listen.
      listening = reconcileListening();
      return s;
    });
  }

  private Future<HttpServer> listen(int port) {
    return vertx
        .createHttpServer(new HttpServerOptions().setHost(settings.host()).setPort(port))
        .connectionHandler(conn -> {
          // Between the fault and the socket's closing (a few milliseconds): no answer either.
          if (faults.get().down()) {
            conn.close();
          }
        })
        .requestHandler(req -> {
          if (refused(req)) {
            // No answer at all: to the client this cloud is unreachable (or, for a lossy
            // vantage, this one request was lost on the way).
            req.connection().close();
          } else {
            router.handle(req);
          }
        })
        .listen()
        .map(s -> {
          server = s;
          return s;
        });
  }

  /**
   * Brings the listening socket in line with the faults: a cloud that is {@code down} closes it
   * (and with it every open connection), so clients get "connection refused", as from a host
   * whose service has died; a healed cloud listens again on the same port. Completes when the
   * socket is in the state the current faults ask for.
   */
  Future<Void> faultsChanged() {
    Context ctx = context;
    if (ctx == null) {
      return Future.succeededFuture(); // not started: start() applies the faults
    }
    Promise<Void> done = Promise.promise();
    ctx.runOnContext(v -> {
      listening = listening.transform(ignored -> reconcileListening());
      listening.onComplete(done);
    });
    return done.future();
  }

  private Future<Void> reconcileListening() {
    if (stopping) {
      return Future.succeededFuture();
    }
    boolean down = faults.get().down();
    if (down && server != null) {
      HttpServer closing = server;
      server = null;
      return closing.close().compose(v -> refusing(System.nanoTime() + REFUSE_WAIT.toNanos()));
    }
    if (!down && server == null) {
      return listen(boundPort).<Void>mapEmpty().recover(e -> {
        log.warn("cloud {} cannot listen again on port {}", cloud.id(), boundPort, e);
        return Future.failedFuture(e);
      });
    }
    return Future.succeededFuture();
  }

  /**
   * Completes once a new connection to the cloud's port is refused. The server's close completes
   * when the JDK has closed the listening channel, but a channel registered with a selector keeps
   * its socket until that selector runs again (an acceptor thread that a loaded machine has not
   * scheduled yet): for those milliseconds the kernel still accepts connections. Probing is the
   * only way to keep {@link #faultsChanged}'s promise; after {@code REFUSE_WAIT} it completes anyway
   * with a warning rather than hang a caller.
   */
  private Future<Void> refusing(long deadlineNanos) {
    if (boundPort <= 0) {
      return Future.succeededFuture();
    }
    return probe().transform(connected -> {
      if (connected.failed() || !connected.result()) {
        return Future.succeededFuture();
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        log.warn("cloud {} still accepts connections on port {} {} after closing it", cloud.id(), boundPort,
            REFUSE_WAIT);
        return Future.succeededFuture();
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(REFUSE_PROBE_EVERY.toMillis(), id -> refusing(deadlineNanos).onComplete(later));
      return later.future();
    });
  }

  /** True when a TCP connection to the cloud's port was accepted (it is closed at once). */
  private Future<Boolean> probe() {
    if (probeClient == null) {
      probeClient = vertx.createNetClient(new NetClientOptions().setConnectTimeout(1_000));
    }
    return probeClient.connect(boundPort, settings.host()).transform(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
        return Future.succeededFuture(true);
      }
      return Future.succeededFuture(false);
    });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    Promise<Void> flushed = Promise.promise();
    if (telemetry == null) {
      flushed.complete();
    } else {
      telemetry.shutdown().whenComplete(flushed::tryComplete);
    }
    // A receiver that is down must not hold the simulator's shutdown hostage.
    vertx.setTimer(3_000, id -> flushed.tryComplete());
    Future<Void> closed = listening.transform(ignored ->
        server == null ? Future.succeededFuture() : server.close());
    if (probeClient != null) {
      closed = closed.transform(ignored -> probeClient.close());
    }
    return Future.all(closed, flushed.future());
  }

  int port() {
    return boundPort;
  }

  /** The lag this cloud reports: empty while it is active. */
  OptionalDouble reportedLag() {
    if (active.getAsBoolean()) {
      return OptionalDouble.empty();
    }
    CloudFaults current = faults.get();
    if (current.replicationLagSeconds().isPresent()) {
      return current.replicationLagSeconds();
    }
    if (current.replicationStalled() && !current.down()) {
      // A stuck replica: the newest write it holds gets older by the second.
      double behind = Duration.between(lastAppliedWrittenAt, settings.clock().instant()).toMillis() / 1000.0;
      return OptionalDouble.of(Math.max(lastLagSeconds, behind));
    }
    return OptionalDouble.of(lastLagSeconds);
  }

  private boolean refused(HttpServerRequest req) {
    CloudFaults current = faults.get();
    if (current.down()) {
      return true;
    }
    String vantage = req.getHeader(VANTAGE_HEADER);
    return vantage != null && (current.refuseVantages().contains(vantage) || dice.roll(current.lossOf(vantage)));
  }

  private void shipToStandby(Change change) {
    if (active.getAsBoolean()) {
      peerInbox.offer(change);
    }
  }

  private void applyReplicated() {
    CloudFaults current = faults.get();
    if (current.down() || current.replicationStalled()) {
      return; // a cloud that is down or stalled applies nothing; it catches up when it comes back
    }
    Instant now = settings.clock().instant();
    Change last = inbox.drainDue(now, settings.replicationDelay(), book::apply);
    if (last != null) {
      lastAppliedWrittenAt = last.writtenAt();
      // Lag is how old the newest applied write was when applied: with nothing new to apply
      // (the active cloud is down) it stays where it was, as a replica's reported lag does.
      lastLagSeconds = Math.max(0, Duration.between(last.writtenAt(), now).toMillis() / 1000.0);
    }
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.get("/healthz").handler(this::health);
    route(router, Operation.SUBMIT, "/orders", this::submit);
    route(router, Operation.READ, "/orders/:id", ctx -> book.get(ctx.pathParam("id")));
    route(router, Operation.DELETE, "/orders/:id", ctx -> book.delete(ctx.pathParam("id")));
    route(router, Operation.ALLOCATE, "/orders/:id/allocation", ctx -> book.allocate(ctx.pathParam("id")));
    route(router, Operation.PICK, "/orders/:id/pick-confirmation", ctx -> book.pick(ctx.pathParam("id")));
    route(router, Operation.SHIP, "/orders/:id/shipment-confirmation", ctx -> book.ship(ctx.pathParam("id")));
    route(router, Operation.INVOICE, "/orders/:id/invoice", ctx -> book.invoice(ctx.pathParam("id")));
    router.get("/inventory/:sku").handler(ctx -> serve(ctx, Operation.STOCK, this::stock));
    router.errorHandler(404, ctx -> error(ctx, 404, "not_found", "no route " + ctx.request().path()));
    router.errorHandler(405, ctx -> error(ctx, 405, "method_not_allowed", "method not allowed"));
    router.errorHandler(413, ctx -> error(ctx, 413, "too_large", "body over " + MAX_BODY_BYTES + " bytes"));
    router.errorHandler(500, ctx -> error(ctx, 500, "internal", "internal error"));
    return router;
  }

  private void route(Router router, Operation op, String path, Function<RoutingContext, OrderBook.Outcome> action) {
    router
        .route(HttpMethod.valueOf(op.method()), path)
        .handler(ctx -> serve(ctx, op, c -> {
          if (op.isWrite() && !active.getAsBoolean()) {
            // A read replica takes no writes; a client sent here is misrouted (4xx, not an outage).
            error(c, 409, "read_replica", READ_REPLICA_MESSAGE);
            return;
          }
          orderAnswer(c, op, action.apply(c));
        }));
  }

  /** Applies the request-level faults (latency, error rate), then answers, inside a SERVER span. */
  private void serve(RoutingContext ctx, Operation op, java.util.function.Consumer<RoutingContext> answer) {
    long started = System.nanoTime();
    Span span = telemetry.startServerSpan(op, ctx.request().headers());
    ctx.addEndHandler(ar -> telemetry.endRequest(op, span, ctx.response().getStatusCode(), System.nanoTime() - started));
    CloudFaults current = faults.get();
    Runnable run = () -> {
      if (dice.roll(current.errorRateOf(op))) {
        ctx.response().putHeader("Retry-After", "1");
        error(ctx, 503, "injected_fault", op.service() + " is unavailable (injected " + op.wireName() + " fault)");
        return;
      }
      try {
        answer.accept(ctx);
      } catch (BadRequest e) {
        error(ctx, 400, "bad_request", e.getMessage());
      }
    };
    if (current.latencyMs() > 0) {
      vertx.setTimer(current.latencyMs(), id -> run.run());
    } else {
      run.run();
    }
  }

  private OrderBook.Outcome submit(RoutingContext ctx) {
    JsonObject body = jsonBody(ctx);
    String sku = requiredString(body, "sku");
    if (!SKU.matcher(sku).matches()) {
      throw new BadRequest("sku: 1-64 letters, digits, '.', '_' or '-'");
    }
    Object qtyValue = body.getValue("qty");
    if (!(qtyValue instanceof Integer || qtyValue instanceof Long)
        || ((Number) qtyValue).longValue() < 1 || ((Number) qtyValue).longValue() > MAX_QTY) {
      throw new BadRequest("qty: a whole number from 1 to " + MAX_QTY);
    }
    String customer = requiredString(body, "customer");
    if (customer.isBlank() || customer.length() > MAX_CUSTOMER_CHARS) {
      throw new BadRequest("customer: 1-" + MAX_CUSTOMER_CHARS + " characters");
    }
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && (key.isBlank() || key.length() > MAX_KEY_CHARS)) {
      throw new BadRequest("Idempotency-Key: 1-" + MAX_KEY_CHARS + " characters");
    }
    return book.submit(key, sku, ((Number) qtyValue).intValue(), customer);
  }

  private void stock(RoutingContext ctx) {
    String sku = ctx.pathParam("sku");
    if (!SKU.matcher(sku).matches()) {
      error(ctx, 400, "bad_request", "sku: 1-64 letters, digits, '.', '_' or '-'");
      return;
    }
    json(ctx, 200, new JsonObject().put("sku", sku).put("available", book.available(sku)));
  }

  private void health(RoutingContext ctx) {
    boolean isActive = active.getAsBoolean();
    JsonObject body = new JsonObject()
        .put("status", "UP")
        .put("cloud", cloud.id())
        .put("region", cloud.region())
        .put("role", isActive ? "active" : "standby")
        .put("orders", book.size())
        .put("invoices", book.invoicesIssued());
    reportedLag().ifPresent(lag -> body.put("replicationLagSeconds", lag));
    json(ctx, 200, body);
  }

  private void orderAnswer(RoutingContext ctx, Operation op, OrderBook.Outcome outcome) {
    if (!outcome.isSuccess()) {
      error(ctx, outcome.status(), outcome.error(), outcome.message());
      return;
    }
    if (outcome.status() == 204) {
      ctx.response().setStatusCode(204).end();
      return;
    }
    if (outcome.replayed()) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
    }
    json(ctx, outcome.status(), op == Operation.INVOICE ? invoiceJson(outcome.order()) : orderJson(outcome.order()));
  }

  static JsonObject orderJson(Order order) {
    JsonObject json = new JsonObject()
        .put("id", order.id())
        .put("status", order.status().name())
        .put("sku", order.sku())
        .put("qty", order.qty())
        .put("customer", order.customer())
        .put("createdAt", order.createdAt().toString())
        .put("updatedAt", order.updatedAt().toString());
    if (order.invoiceId() != null) {
      json.put("invoiceId", order.invoiceId()).put("amount", order.amountCents() / 100.0);
    }
    return json;
  }

  static JsonObject invoiceJson(Order order) {
    return new JsonObject()
        .put("invoiceId", order.invoiceId())
        .put("orderId", order.id())
        .put("status", order.status().name())
        .put("amount", order.amountCents() / 100.0)
        .put("currency", "EUR");
  }

  private void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Tandem-Cloud", cloud.id())
        .end(body.encode());
  }

  private void error(RoutingContext ctx, int status, String code, String message) {
    json(ctx, status, new JsonObject().put("error", code).put("message", message));
  }

  private static JsonObject jsonBody(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new BadRequest("body: malformed JSON");
    }
    if (body == null) {
      throw new BadRequest("body: a JSON object is required");
    }
    return body;
  }

  private static String requiredString(JsonObject body, String key) {
    Object value = body.getValue(key);
    if (!(value instanceof String)) {
      throw new BadRequest(key + ": a string is required");
    }
    return (String) value;
  }

  /** A request the API rejects with 400; thrown only inside request handling. */
  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}
