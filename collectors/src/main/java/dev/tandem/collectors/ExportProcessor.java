package dev.tandem.collectors;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/**
 * One export request from body bytes to reply bytes: inflate, decode, translate, encode. Runs on
 * the path's worker threads, never on an event loop, since a 4 MiB body takes milliseconds.
 */
final class ExportProcessor {

  /**
   * A reply ready to write: HTTP status, encoding of the body, the body (an export response, or
   * a {@code google.rpc.Status} for an error), and for an error its message (gRPC sends that
   * in {@code grpc-message}).
   */
  record Reply(int status, OtlpEncoding encoding, byte[] body, String message) {}

  private final int maxBodyBytes;
  private final OtlpTranslator translator;

  ExportProcessor(int maxBodyBytes, OtlpTranslator translator) {
    this.maxBodyBytes = maxBodyBytes;
    this.translator = translator;
  }

  Reply process(Signal signal, OtlpEncoding encoding, boolean gzip, byte[] wireBody) {
    try {
      byte[] body = gzip ? OtlpCodec.gunzip(wireBody, maxBodyBytes) : wireBody;
      if (body.length > maxBodyBytes) {
        throw new RequestRejected(413, "body larger than " + maxBodyBytes + " bytes");
      }
      switch (signal) {
        case TRACES:
          return ok(encoding, traces(OtlpCodec.decode(encoding, body, ExportTraceServiceRequest.newBuilder()).build()));
        case METRICS:
          return ok(encoding, metrics(OtlpCodec.decode(encoding, body, ExportMetricsServiceRequest.newBuilder()).build()));
        default:
          throw new IllegalArgumentException("no processing for " + signal);
      }
    } catch (RequestRejected e) {
      return error(encoding, e.status, e.getMessage());
    }
  }

  /** An empty success, for "accept and discard" (load measurements only). */
  static Reply discarded(OtlpEncoding encoding) {
    return new Reply(200, encoding, encoding == OtlpEncoding.JSON ? DISCARDED_JSON : new byte[0], "");
  }

  private static final byte[] DISCARDED_JSON = {'{', '}'};

  static Reply error(OtlpEncoding encoding, int status, String message) {
    return new Reply(status, encoding, RpcStatus.encode(encoding, RpcStatus.codeFor(status), message), message);
  }

  private ExportTraceServiceResponse traces(ExportTraceServiceRequest request) {
    OtlpTranslator.Outcome outcome = translator.traces(request);
    ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
    if (outcome.rejected() > 0) {
      response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
          .setRejectedSpans(outcome.rejected()).setErrorMessage(outcome.message()));
    }
    return response.build();
  }

  private ExportMetricsServiceResponse metrics(ExportMetricsServiceRequest request) {
    OtlpTranslator.Outcome outcome = translator.metrics(request);
    ExportMetricsServiceResponse.Builder response = ExportMetricsServiceResponse.newBuilder();
    if (outcome.rejected() > 0) {
      response.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
          .setRejectedDataPoints(outcome.rejected()).setErrorMessage(outcome.message()));
    }
    return response.build();
  }

  private static Reply ok(OtlpEncoding encoding, com.google.protobuf.Message response) {
    return new Reply(200, encoding, OtlpCodec.encode(encoding, response), "");
  }
}
