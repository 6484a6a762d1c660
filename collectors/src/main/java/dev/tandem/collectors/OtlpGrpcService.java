package dev.tandem.collectors;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.Base64;

/**
 * One path's OTLP/gRPC services: {@code opentelemetry.proto.collector.trace.v1.TraceService/Export}
 * and {@code ...metrics.v1.MetricsService/Export}. Every other method, the logs service
 * included, is answered UNIMPLEMENTED by Vert.x's {@link GrpcServer}, as the OpenTelemetry
 * Collector does for a signal it has no pipeline for.
 *
 * <p>Messages are taken raw (still compressed) and inflated on the path's workers within the
 * body limit: Vert.x's own gzip decoding has no limit, which would let a small message inflate
 * without bound. The answers follow the OTLP specification: UNAUTHENTICATED, INVALID_ARGUMENT,
 * RESOURCE_EXHAUSTED without RetryInfo (too large), UNAVAILABLE with RetryInfo (shed).
 */
final class OtlpGrpcService {

  /** Processes one decoded-or-not body into a reply; never fails. */
  @FunctionalInterface
  interface Processor {
    Future<ExportProcessor.Reply> process(Signal signal, OtlpEncoding encoding, boolean gzip, byte[] body);
  }

  static final ServiceMethod<Buffer, Buffer> TRACE_EXPORT = ServiceMethod.server(
      ServiceName.create("opentelemetry.proto.collector.trace.v1.TraceService"), "Export",
      GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);
  static final ServiceMethod<Buffer, Buffer> METRICS_EXPORT = ServiceMethod.server(
      ServiceName.create("opentelemetry.proto.collector.metrics.v1.MetricsService"), "Export",
      GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);

  private static final String STATUS_DETAILS = "grpc-status-details-bin";

  private final PathSettings settings;
  private final BearerTokens tokens;
  private final IntakeQueue intake;
  private final ReceiverStats stats;
  private final Processor processor;
  private final GrpcServer server;

  OtlpGrpcService(Vertx vertx, PathSettings settings, BearerTokens tokens, IntakeQueue intake, ReceiverStats stats,
      Processor processor) {
    this.settings = settings;
    this.tokens = tokens;
    this.intake = intake;
    this.stats = stats;
    this.processor = processor;
    GrpcServerOptions options = new GrpcServerOptions()
        // gRPC's usual 4 MiB instead of Vert.x's 256 KiB; the limit after inflating is ours.
        .setMaxMessageSize(settings.maxBodyBytes());
    for (GrpcProtocol protocol : GrpcProtocol.values()) {
      if (protocol != GrpcProtocol.HTTP_2) {
        options.removeEnabledProtocol(protocol); // plain gRPC only: no gRPC-Web, no transcoding
      }
    }
    this.server = GrpcServer.server(vertx, options)
        .callHandler(TRACE_EXPORT, call -> handle(Signal.TRACES, call))
        .callHandler(METRICS_EXPORT, call -> handle(Signal.METRICS, call));
  }

  GrpcServer server() {
    return server;
  }

  private void handle(Signal signal, GrpcServerRequest<Buffer, Buffer> call) {
    GrpcServerResponse<Buffer, Buffer> response = call.response();
    if (!tokens.admits(call.headers().get("authorization"))) {
      fail(response, 401, GrpcStatus.UNAUTHENTICATED, "a valid bearer token is required", 0);
      return;
    }
    if (!intake.tryEnter()) {
      shed(response, 0);
      return;
    }
    // [0] bytes held in the intake queue, [1] messages, [2] 1 once the place was given back
    long[] state = new long[3];
    Runnable leave = () -> {
      if (state[2] == 0) {
        state[2] = 1;
        intake.leave(state[0]);
      }
    };
    GrpcMessage[] message = new GrpcMessage[1];
    boolean[] problem = new boolean[1];
    call.invalidMessageHandler(invalid -> {
      if (problem[0]) {
        return;
      }
      problem[0] = true;
      leave.run();
      if (invalid instanceof MessageSizeOverflowException) {
        fail(response, 413, GrpcStatus.RESOURCE_EXHAUSTED, "message larger than " + settings.maxBodyBytes() + " bytes", 0);
      } else {
        fail(response, 400, GrpcStatus.INVALID_ARGUMENT, "invalid gRPC message: " + invalid.getMessage(), 0);
      }
    });
    call.messageHandler(msg -> {
      if (problem[0]) {
        return;
      }
      int size = msg.payload().length();
      if (++state[1] > 1) {
        problem[0] = true;
        leave.run();
        fail(response, 400, GrpcStatus.INVALID_ARGUMENT, "Export is unary: one request message", size);
      } else if (!intake.tryHold(size)) {
        problem[0] = true;
        leave.run();
        shed(response, size);
      } else {
        state[0] += size;
        message[0] = msg;
      }
    });
    call.exceptionHandler(e -> leave.run());
    call.endHandler(v -> {
      if (problem[0]) {
        return;
      }
      GrpcMessage msg = message[0];
      if (msg == null) {
        leave.run();
        fail(response, 400, GrpcStatus.INVALID_ARGUMENT, "no request message", 0);
        return;
      }
      boolean gzip;
      switch (msg.encoding()) {
        case "identity":
          gzip = false;
          break;
        case "gzip":
          gzip = true;
          break;
        default:
          leave.run();
          response.headers().set("grpc-accept-encoding", "gzip,identity");
          fail(response, 415, GrpcStatus.UNIMPLEMENTED, "grpc-encoding " + msg.encoding() + " is not supported", 0);
          return;
      }
      byte[] bytes = msg.payload().getBytes();
      processor.process(signal, OtlpEncoding.PROTOBUF, gzip, bytes).onComplete(result -> {
        leave.run();
        ExportProcessor.Reply reply = result.result();
        if (reply.status() == 200) {
          stats.accepted(bytes.length);
          try {
            response.end(Buffer.buffer(reply.body()));
          } catch (IllegalStateException e) {
            // The client went away (reset or cancelled) before its answer: nothing to tell it.
          }
        } else if (reply.status() == 429 || reply.status() == 503) {
          shed(response, bytes.length);
        } else {
          fail(response, reply.status(), grpcStatus(reply.status()), reply.message(), bytes.length);
        }
      });
    });
  }

  /** UNAVAILABLE with RetryInfo: the OTLP exporter retries after the delay. */
  private void shed(GrpcServerResponse<Buffer, Buffer> response, long bytes) {
    String message = "path " + settings.id() + " is overloaded; retry after " + IntakeQueue.RETRY_AFTER_SECONDS + " s";
    byte[] details = RpcStatus.withRetryInfo(RpcStatus.UNAVAILABLE, message, IntakeQueue.RETRY_AFTER_SECONDS);
    response.trailers().set(STATUS_DETAILS, Base64.getEncoder().withoutPadding().encodeToString(details));
    fail(response, 429, GrpcStatus.UNAVAILABLE, message, bytes);
  }

  /** Counts the failure under the HTTP status of the same meaning, and answers it. */
  private void fail(GrpcServerResponse<Buffer, Buffer> response, int httpStatus, GrpcStatus status, String message,
      long bytes) {
    stats.rejected(httpStatus, bytes);
    try {
      response.status(status).statusMessage(message).end();
    } catch (IllegalStateException e) {
      // The client went away (reset or cancelled) before its answer: nothing to tell it.
    }
  }

  private static GrpcStatus grpcStatus(int httpStatus) {
    switch (httpStatus) {
      case 400:
        return GrpcStatus.INVALID_ARGUMENT;
      case 401:
        return GrpcStatus.UNAUTHENTICATED;
      case 413:
        return GrpcStatus.RESOURCE_EXHAUSTED;
      case 404:
      case 405:
      case 415:
        return GrpcStatus.UNIMPLEMENTED;
      default:
        return GrpcStatus.INTERNAL;
    }
  }
}
