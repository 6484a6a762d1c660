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
  static final int UNAUTHENTICATED = 16;

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
      default:
        return INTERNAL;
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
