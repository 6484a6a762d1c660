package dev.tandem.collectors;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.TelemetryObservation;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

/** Shared test helpers: a settable clock, a recording sink, requests and replies. */
final class Fixtures {

  static final String HOST = "127.0.0.1";

  private Fixtures() {}

  static PathSettings path(String id, String cloud) {
    return new PathSettings(id, cloud, HOST, 0, List.of(), Map.of());
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> post(WebClient client, int port, String uri, String contentType, byte[] body,
      String... headers) throws Exception {
    var request = client.post(port, HOST, uri);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return await(request.sendBuffer(Buffer.buffer(body)));
  }

  /** The response body; an empty protobuf message is zero bytes, which Vert.x gives as null. */
  static byte[] bytes(HttpResponse<Buffer> response) {
    Buffer body = response.bodyAsBuffer();
    return body == null ? new byte[0] : body.getBytes();
  }

  static byte[] resource(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/otlp-json/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static ByteString hex(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return ByteString.copyFrom(bytes);
  }

  static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static KeyValue attribute(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  /** A server span with a trace id derived from {@code n}, ERROR status when {@code failed}. */
  static Span serverSpan(int n, String name, boolean failed) {
    return Span.newBuilder()
        .setTraceId(hex(String.format("%032x", 0x1000 + n)))
        .setSpanId(hex(String.format("%016x", 0x2000 + n)))
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStatus(Status.newBuilder().setCode(failed ? Status.StatusCode.STATUS_CODE_ERROR : Status.StatusCode.STATUS_CODE_OK))
        .build();
  }

  static ExportTraceServiceRequest traces(String service, Span... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attribute("service.name", service)))
            .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))))
        .build();
  }

  /** Reads a protobuf {@code google.rpc.Status}: code and message. */
  static Object[] rpcStatus(byte[] body) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(body);
    int code = 0;
    String message = "";
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == (1 << 3)) {
        code = in.readInt32();
      } else if (tag == ((2 << 3) | 2)) {
        message = in.readString();
      } else {
        in.skipField(tag);
      }
    }
    return new Object[] {code, message};
  }

  /** Keeps every observation; thread-safe like a real sink. */
  static final class RecordingSink implements ObservationSink {
    final ConcurrentLinkedQueue<Observation> observations = new ConcurrentLinkedQueue<>();

    @Override
    public void accept(Observation observation) {
      observations.add(observation);
    }

    <T extends Observation> List<T> of(Class<T> type) {
      List<T> matching = new ArrayList<>();
      for (Observation observation : observations) {
        if (type.isInstance(observation)) {
          matching.add(type.cast(observation));
        }
      }
      return matching;
    }

    /** Good and total summed over the telemetry of one service and operation from one source. */
    long[] goodTotal(String source, String service, String operation) {
      List<TelemetryObservation> matching = of(TelemetryObservation.class).stream()
          .filter(t -> t.source().equals(source) && t.service().equals(service) && t.operation().equals(operation))
          .collect(Collectors.toList());
      return new long[] {
          matching.stream().mapToLong(TelemetryObservation::good).sum(),
          matching.stream().mapToLong(TelemetryObservation::total).sum()};
    }
  }
}
