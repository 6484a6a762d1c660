package dev.tandem.sim;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The traffic manager: the platform's public endpoint, on its own port, forwarding every request
 * to whichever cloud is active now (as a DNS or GSLB record would send clients there). Switching
 * the active cloud moves the next request, not the ones in flight.
 *
 * <p>Bounded: a body over {@link CloudVerticle#MAX_BODY_BYTES} gets 413 without being forwarded;
 * at most {@link #MAX_CONNECTIONS} connections to the clouds and {@link #MAX_WAITING} requests
 * waiting for one (more get 502 at once); an unreachable or silent active
 * cloud gets 502 {@code bad_gateway} (counted), never a hang past {@link #TIMEOUT_MS}.
 */
final class TrafficVerticle extends VerticleBase {
  static final int MAX_CONNECTIONS = 64;
  static final long TIMEOUT_MS = 10_000;
  /** Requests waiting for one of the connections; past it a request is refused at once with 502. */
  static final int MAX_WAITING = 256;
  static final String TARGET_HEADER = "X-Tandem-Traffic-Target";
  /** Hop-by-hop headers (RFC 9110 section 7.6.1) are the proxy's own, never forwarded. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
      "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length");

  private final String host;
  private final int port;
  private final Supplier<String> active;
  private final java.util.function.ToIntFunction<String> cloudPort;
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private HttpClient client;
  private HttpServer server;
  private volatile int boundPort = -1;

  TrafficVerticle(String host, int port, Supplier<String> active, java.util.function.ToIntFunction<String> cloudPort) {
    this.host = host;
    this.port = port;
    this.active = active;
    this.cloudPort = cloudPort;
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS).setMaxWaitQueueSize(MAX_WAITING));
    Router router = Router.router(vertx);
    // The bound on bodies: over it, 413 before anything is forwarded.
    router.route().handler(BodyHandler.create(false).setBodyLimit(CloudVerticle.MAX_BODY_BYTES));
    router.route().handler(this::forward);
    router.errorHandler(413, ctx -> ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json")
        .end(error("too_large", "body over " + CloudVerticle.MAX_BODY_BYTES + " bytes")));
    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
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
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.transform(x -> client == null ? Future.succeededFuture() : client.close());
  }

  int port() {
    return boundPort;
  }

  long forwarded() {
    return forwarded.get();
  }

  long failed() {
    return failed.get();
  }

  private void forward(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String cloud = active.get();
    Buffer body = ctx.body().buffer() == null ? Buffer.buffer() : ctx.body().buffer();
    Future.<Void>succeededFuture()
        .compose(v -> {
          RequestOptions options = new RequestOptions()
              .setMethod(req.method())
              .setHost(host)
              .setPort(cloudPort.applyAsInt(cloud))
              .setURI(req.uri())
              .setIdleTimeout(TIMEOUT_MS);
          return client.request(options).compose(out -> {
            req.headers().forEach(h -> {
              if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                out.headers().add(h.getKey(), h.getValue());
              }
            });
            return out.send(body).compose(in -> in.body().map(b -> {
              MultiMap headers = MultiMap.caseInsensitiveMultiMap();
              in.headers().forEach(h -> {
                if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                  headers.add(h.getKey(), h.getValue());
                }
              });
              forwarded.incrementAndGet();
              return new Answer(in.statusCode(), headers, b);
            }));
          });
        })
        // A deadline for the whole exchange: the idle timeout alone lets a trickling cloud hold it open.
        .timeout(TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .recover(e -> {
          failed.incrementAndGet();
          return Future.succeededFuture(new Answer(502,
              MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json"), error("bad_gateway", "the active cloud " + cloud + " did not answer: " + e.getMessage())));
        })
        .onSuccess(a -> {
          if (req.response().ended() || req.response().closed()) {
            return;
          }
          req.response().setStatusCode(a.status);
          req.response().headers().addAll(a.headers);
          req.response().putHeader(TARGET_HEADER, cloud);
          req.response().end(a.body);
        });
  }

  private static Buffer error(String code, String message) {
    return new JsonObject().put("error", code).put("message", message).toBuffer();
  }

  private record Answer(int status, MultiMap headers, Buffer body) {}
}
