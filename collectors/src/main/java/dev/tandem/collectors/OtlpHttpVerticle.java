package dev.tandem.collectors;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One path's OTLP/HTTP server. The event loop only checks headers and gathers bytes (bounded);
 * inflating and decoding happen on the path's own small worker pool, so that a flood on one path
 * neither blocks an event loop nor takes the other path's workers.
 */
final class OtlpHttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(OtlpHttpVerticle.class);

  /** Decoding is CPU work: two threads per path on a small machine, more would only queue. */
  static final int WORKER_THREADS = 2;

  /** Idle connections are closed after this long (seconds), so that silent clients cost nothing. */
  static final int IDLE_TIMEOUT_SECONDS = 60;

  /**
   * How much of a too-large body is read and thrown away before the connection is closed: reading
   * it lets the client see the 413 instead of a reset; beyond this it is abuse.
   */
  static final long DRAIN_LIMIT_BYTES = 16L * 1024 * 1024;

  private final PathSettings settings;
  private final BearerTokens tokens;
  private final ExportProcessor processor;
  private final ReceiverStats stats;
  private final AtomicLong lastFailureLog = new AtomicLong(Long.MIN_VALUE);
  private WorkerExecutor workers;
  private HttpServer server;
  private volatile int port = -1;

  OtlpHttpVerticle(PathSettings settings, ExportProcessor processor, ReceiverStats stats) {
    this.settings = settings;
    this.tokens = new BearerTokens(settings.tokens());
    this.processor = processor;
    this.stats = stats;
  }

  int port() {
    return port;
  }

  @Override
  public Future<?> start() {
    workers = vertx.createSharedWorkerExecutor("tandem-otlp-http-" + settings.id(), WORKER_THREADS);
    HttpServerOptions options = new HttpServerOptions()
        .setHost(settings.host())
        .setPort(settings.httpPort())
        .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
        // OTLP/HTTP exporters speak HTTP/1.1 here; the JDK client's h2c upgrade attempt on a POST
        // cost seconds per export in tests, and h2c would need its own body limits.
        .setHttp2ClearTextEnabled(false)
        // Bodies are inflated by hand, so that the size limit applies to the inflated bytes.
        .setDecompressionSupported(false)
        .setHandle100ContinueAutomatically(false);
    server = vertx.createHttpServer(options).requestHandler(this::handle);
    return server.listen().onSuccess(s -> {
      port = s.actualPort();
      LOG.info("path {} ({}): OTLP/HTTP on {}:{}, bearer tokens {}", settings.id(), settings.cloud(),
          settings.host(), port, tokens.required() ? "required" : "not required");
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.eventually(() -> workers == null ? Future.succeededFuture() : workers.close());
  }

  private void handle(HttpServerRequest request) {
    OtlpEncoding encoding = OtlpEncoding.fromContentType(request.getHeader(HttpHeaders.CONTENT_TYPE));
    // Errors answer in the request's encoding; JSON when it has none we know, as people read it.
    OtlpEncoding errorEncoding = encoding == null ? OtlpEncoding.JSON : encoding;
    Signal signal = Signal.forPath(request.path());
    if (signal == null) {
      // As the OpenTelemetry Collector does for a signal without a pipeline: the path does not
      // exist. Exporters do not retry a 404, so a logs exporter pointed here gives up at once.
      String message = Signal.LOGS_PATH.equals(request.path())
          ? "Tandem does not serve logs; only /v1/traces and /v1/metrics"
          : "no such path; OTLP/HTTP paths are /v1/traces and /v1/metrics";
      reject(request, errorEncoding, 404, message);
      return;
    }
    if (request.method() != HttpMethod.POST) {
      request.response().putHeader(HttpHeaders.ALLOW, "POST");
      reject(request, errorEncoding, 405, "method " + request.method() + " not allowed, use POST");
      return;
    }
    if (!tokens.admits(request.getHeader(HttpHeaders.AUTHORIZATION))) {
      request.response().putHeader("WWW-Authenticate", "Bearer");
      reject(request, errorEncoding, 401, "a valid bearer token is required");
      return;
    }
    if (encoding == null) {
      reject(request, errorEncoding, 415, "Content-Type must be application/x-protobuf or application/json");
      return;
    }
    String contentEncoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
    boolean gzip;
    if (contentEncoding == null || contentEncoding.isBlank()
        || contentEncoding.trim().equalsIgnoreCase("identity")) {
      gzip = false;
    } else if (contentEncoding.trim().toLowerCase(Locale.ROOT).equals("gzip")) {
      gzip = true;
    } else {
      reject(request, encoding, 415, "Content-Encoding must be gzip or none");
      return;
    }
    long wireLimit = wireLimit(gzip);
    long declared = declaredLength(request);
    boolean expectsContinue = "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT));
    if (expectsContinue) {
      if (declared > wireLimit) {
        // The client waits for our word before sending: refuse without reading anything.
        reject(request, encoding, 413, "body larger than " + settings.maxBodyBytes() + " bytes");
        return;
      }
      request.response().writeContinue();
    }
    receive(request, signal, encoding, gzip, wireLimit);
  }

  private void receive(HttpServerRequest request, Signal signal, OtlpEncoding encoding, boolean gzip,
      long wireLimit) {
    Buffer body = Buffer.buffer();
    long[] received = new long[1];
    request.handler(chunk -> {
      received[0] += chunk.length();
      if (received[0] <= wireLimit) {
        body.appendBuffer(chunk);
      } else if (received[0] > wireLimit + DRAIN_LIMIT_BYTES) {
        stats.rejected(413, received[0]);
        request.connection().close();
      }
    });
    request.exceptionHandler(e -> LOG.debug("path {}: request aborted: {}", settings.id(), e.toString()));
    request.endHandler(v -> {
      if (received[0] > wireLimit) {
        reject(request, encoding, 413, "body larger than " + settings.maxBodyBytes() + " bytes", received[0]);
        return;
      }
      byte[] bytes = body.getBytes();
      workers.executeBlocking(() -> processor.process(signal, encoding, gzip, bytes), false)
          .onComplete(result -> {
            ExportProcessor.Reply reply;
            if (result.succeeded()) {
              reply = result.result();
            } else {
              logFailure(result.cause());
              reply = ExportProcessor.error(encoding, 500, "internal error");
            }
            write(request, reply, bytes.length);
          });
    });
  }

  /**
   * What may come over the wire before the body counts as too large. Gzip can make a body that
   * does not compress slightly larger (5 bytes per 64 KiB block plus a header), hence the margin.
   */
  private long wireLimit(boolean gzip) {
    long max = settings.maxBodyBytes();
    return gzip ? max + max / 1024 + 1024 : max;
  }

  private static long declaredLength(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void reject(HttpServerRequest request, OtlpEncoding encoding, int status, String message) {
    reject(request, encoding, status, message, 0);
  }

  private void reject(HttpServerRequest request, OtlpEncoding encoding, int status, String message, long bytes) {
    write(request, ExportProcessor.error(encoding, status, message), bytes);
  }

  private void write(HttpServerRequest request, ExportProcessor.Reply reply, long bytes) {
    if (reply.status() == 200) {
      stats.accepted(bytes);
    } else {
      stats.rejected(reply.status(), bytes);
    }
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(reply.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, reply.encoding().contentType)
        .end(Buffer.buffer(reply.body()));
  }

  private void logFailure(Throwable cause) {
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if ((last == Long.MIN_VALUE || now - last >= 60_000_000_000L) && lastFailureLog.compareAndSet(last, now)) {
      LOG.warn("path {}: request failed inside the receiver (logged at most once a minute)", settings.id(), cause);
    }
  }
}
