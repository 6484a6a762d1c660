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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One path's OTLP servers: OTLP/HTTP, and OTLP/gRPC on its own port when the path has one. The
 * event loop only checks headers and gathers bytes (bounded); inflating and decoding happen on
 * the path's own small worker pool, so that a flood on one path neither blocks an event loop nor
 * takes the other path's workers. Both transports share the path's {@link IntakeQueue}: at its
 * bound, requests are shed before their data is accepted.
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
  private final IntakeQueue intake;
  private final AtomicLong lastFailureLog = new AtomicLong(Long.MIN_VALUE);
  private WorkerExecutor workers;
  private HttpServer server;
  private HttpServer grpcServer;
  private volatile int port = -1;
  private volatile int grpcPort = -1;

  /**
   * @param processor decodes and translates a body; null for "accept and discard", which answers
   *     every well-formed request with an empty success without decoding it (the transport's
   *     ceiling, for load measurements only)
   */
  OtlpHttpVerticle(PathSettings settings, ExportProcessor processor, ReceiverStats stats) {
    this.settings = settings;
    this.tokens = new BearerTokens(settings.tokens());
    this.processor = processor;
    this.stats = stats;
    this.intake = new IntakeQueue(settings.maxQueuedRequests(), settings.maxQueuedBytes());
  }

  int port() {
    return port;
  }

  int grpcPort() {
    return grpcPort;
  }

  IntakeQueue intake() {
    return intake;
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
    Future<?> http = server.listen().onSuccess(s -> {
      port = s.actualPort();
      LOG.info("path {} ({}): OTLP/HTTP on {}:{}, bearer tokens {}{}", settings.id(), settings.cloud(),
          settings.host(), port, tokens.required() ? "required" : "not required",
          processor == null ? " (ACCEPT AND DISCARD: nothing is decoded)" : "");
    });
    if (settings.grpcPort() == PathSettings.NO_GRPC) {
      return http;
    }
    OtlpGrpcService grpc = new OtlpGrpcService(vertx, settings, tokens, intake, stats, this::process);
    grpcServer = vertx.createHttpServer(new HttpServerOptions()
            .setHost(settings.host())
            .setPort(settings.grpcPort())
            .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
            // gRPC is HTTP/2; clients speak it in clear text with prior knowledge (or upgrade).
            .setHttp2ClearTextEnabled(true)
            .setDecompressionSupported(false))
        .requestHandler(grpc.server());
    return http.compose(ignored -> grpcServer.listen()).onSuccess(s -> {
      grpcPort = s.actualPort();
      LOG.info("path {} ({}): OTLP/gRPC on {}:{}", settings.id(), settings.cloud(), settings.host(), grpcPort);
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    Future<Void> grpcClosed = grpcServer == null ? Future.succeededFuture() : grpcServer.close();
    return Future.join(closed, grpcClosed).eventually(() -> workers == null ? Future.succeededFuture() : workers.close());
  }

  /**
   * Decodes and translates one body on the path's workers; the future always completes with a
   * reply (500 for a bug inside, 503 when the path is stopping and its workers are gone).
   */
  Future<ExportProcessor.Reply> process(Signal signal, OtlpEncoding encoding, boolean gzip, byte[] bytes) {
    if (processor == null) {
      return Future.succeededFuture(ExportProcessor.discarded(encoding));
    }
    Future<ExportProcessor.Reply> work;
    try {
      work = workers.executeBlocking(() -> processor.process(signal, encoding, gzip, bytes), false);
    } catch (RejectedExecutionException e) {
      return Future.succeededFuture(ExportProcessor.error(encoding, 503, "path " + settings.id() + " is stopping"));
    }
    return work.recover(cause -> {
      if (cause instanceof RejectedExecutionException) {
        return Future.succeededFuture(ExportProcessor.error(encoding, 503, "path " + settings.id() + " is stopping"));
      }
      logFailure(cause);
      return Future.succeededFuture(ExportProcessor.error(encoding, 500, "internal error"));
    });
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
    }
    if (!intake.tryEnter()) {
      // Shed before a byte of the body is kept: the client retries after Retry-After.
      shed(request, encoding, expectsContinue);
      return;
    }
    if (expectsContinue) {
      request.response().writeContinue();
    }
    receive(request, signal, encoding, gzip, wireLimit);
  }

  /** 429 with Retry-After, after reading (not keeping) the body so that the client sees it. */
  private void shed(HttpServerRequest request, OtlpEncoding encoding, boolean expectsContinue) {
    request.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(IntakeQueue.RETRY_AFTER_SECONDS));
    String message = "path " + settings.id() + " is overloaded; retry after " + IntakeQueue.RETRY_AFTER_SECONDS + " s";
    if (expectsContinue) {
      reject(request, encoding, 429, message); // the body was never sent
      return;
    }
    long[] received = new long[1];
    request.handler(chunk -> {
      received[0] += chunk.length();
      if (received[0] > DRAIN_LIMIT_BYTES) {
        stats.rejected(429, received[0]);
        request.connection().close();
      }
    });
    request.endHandler(v -> reject(request, encoding, 429, message, received[0]));
  }

  private void receive(HttpServerRequest request, Signal signal, OtlpEncoding encoding, boolean gzip,
      long wireLimit) {
    Buffer body = Buffer.buffer();
    // [0] bytes received, [1] bytes held in the intake queue, [2] 1 once the place was given back
    long[] state = new long[3];
    Runnable leave = () -> {
      if (state[2] == 0) {
        state[2] = 1;
        intake.leave(state[1]);
      }
    };
    boolean[] overloaded = new boolean[1];
    request.handler(chunk -> {
      state[0] += chunk.length();
      if (state[0] <= wireLimit && !overloaded[0]) {
        if (intake.tryHold(chunk.length())) {
          state[1] += chunk.length();
          body.appendBuffer(chunk);
        } else {
          // Other requests of this path hold all the bytes it may hold: shed this one too.
          overloaded[0] = true;
        }
      } else if (state[0] > wireLimit + DRAIN_LIMIT_BYTES) {
        stats.rejected(overloaded[0] ? 429 : 413, state[0]);
        leave.run();
        request.connection().close();
      }
    });
    request.exceptionHandler(e -> {
      LOG.debug("path {}: request aborted: {}", settings.id(), e.toString());
      leave.run();
    });
    request.endHandler(v -> {
      if (overloaded[0]) {
        leave.run();
        request.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(IntakeQueue.RETRY_AFTER_SECONDS));
        reject(request, encoding, 429, "path " + settings.id() + " is overloaded; retry after "
            + IntakeQueue.RETRY_AFTER_SECONDS + " s", state[0]);
        return;
      }
      if (state[0] > wireLimit) {
        leave.run();
        reject(request, encoding, 413, "body larger than " + settings.maxBodyBytes() + " bytes", state[0]);
        return;
      }
      byte[] bytes = body.getBytes();
      process(signal, encoding, gzip, bytes).onComplete(result -> {
        leave.run();
        write(request, result.result(), bytes.length);
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
