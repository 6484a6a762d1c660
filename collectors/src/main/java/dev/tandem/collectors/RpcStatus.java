package dev.tandem.collectors;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * OTLP/HTTP error bodies: {@code google.rpc.Status} with a gRPC code and a message. Written by
 * hand (two fields) rather than pulling in Google's common protos for one message.
 */
final class RpcStatus {

  static final int INVALID_ARGUMENT = 3;
  static final int RESOURCE_EXHAUSTED = 8;
  static final int UNIMPLEMENTED = 12;
  static final int INTERNAL = 13;
  static final int UNAVAILABLE = 14;
  static final int UNAUTHENTICATED = 16;

  private static final String RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo";

  private RpcStatus() {}

  /** The gRPC code that means what {@code httpStatus} means here. */
  static int codeFor(int httpStatus) {
    switch (httpStatus) {
      case 400:
        return INVALID_ARGUMENT;
      case 401:
        return UNAUTHENTICATED;
      case 404:
      case 405:
      case 415:
        return UNIMPLEMENTED;
      case 413:
        // Without RetryInfo: the client must not send the same batch again.
        return RESOURCE_EXHAUSTED;
      case 429:
      case 503:
        return UNAVAILABLE;
      default:
        return INTERNAL;
    }
  }

  /**
   * A protobuf {@code google.rpc.Status} whose details hold a {@code google.rpc.RetryInfo}: what
   * gRPC clients read from {@code grpc-status-details-bin} to know when to retry after shedding.
   */
  static byte[] withRetryInfo(int code, String message, int retryDelaySeconds) {
    try {
      ByteArrayOutputStream duration = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(duration);
      out.writeInt64(1, retryDelaySeconds); // google.protobuf.Duration.seconds
      out.flush();
      ByteArrayOutputStream retryInfo = new ByteArrayOutputStream();
      out = CodedOutputStream.newInstance(retryInfo);
      out.writeByteArray(1, duration.toByteArray()); // RetryInfo.retry_delay
      out.flush();
      ByteArrayOutputStream any = new ByteArrayOutputStream();
      out = CodedOutputStream.newInstance(any);
      out.writeString(1, RETRY_INFO_TYPE); // Any.type_url
      out.writeByteArray(2, retryInfo.toByteArray()); // Any.value
      out.flush();
      ByteArrayOutputStream status = new ByteArrayOutputStream();
      out = CodedOutputStream.newInstance(status);
      out.writeInt32(1, code);
      out.writeString(2, message);
      out.writeByteArray(3, any.toByteArray()); // Status.details
      out.flush();
      return status.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] encode(OtlpEncoding encoding, int code, String message) {
    if (encoding == OtlpEncoding.JSON) {
      String quoted = new String(JsonStringEncoder.getInstance().quoteAsString(message));
      return ("{\"code\":" + code + ",\"message\":\"" + quoted + "\"}").getBytes(StandardCharsets.UTF_8);
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.length() + 8);
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeInt32(1, code);
      out.writeString(2, message);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
