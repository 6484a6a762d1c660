package dev.tandem.collectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.collectors.Fixtures.RecordingSink;
import dev.tandem.engine.replay.VirtualClock;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A bounded fuzz loop over both decoders (protobuf and OTLP/JSON), both signals: mutated valid
 * bodies must get one of the spec's answers (200, possibly partial; 400; 413), never a failure
 * inside the receiver, and a 200 must carry a decodable response. Seeded, so a failure repeats.
 */
class DecoderFuzzTest {

  private static final int ITERATIONS_PER_SEED = 400;
  private static final Set<Integer> SPEC_ANSWERS = Set.of(200, 400, 413);

  private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-26T10:00:00Z"));
  private final ExportProcessor processor = new ExportProcessor(64 * 1024, new OtlpTranslator(
      Fixtures.path("path-a", "primary"), clock, new RecordingSink(), SpanDeduplicator.create(clock),
      CumulativeSeries.create(clock), new ReceiverStats()));

  @Test
  void mutatedBodiesAlwaysGetASpecAnswer() throws Exception {
    byte[] traceProto = Fixtures.traces("orders", Fixtures.serverSpan(1, "GET /orders", false),
        Fixtures.serverSpan(2, "POST /orders", true)).toByteArray();
    byte[] traceJson = Fixtures.resource("trace.json");
    byte[] metricsJson = Fixtures.resource("metrics.json");
    byte[] metricsProto = decodeJsonMetrics(metricsJson);
    Map<String, Integer> statuses = new TreeMap<>();
    Random random = new Random(20261126L);

    fuzz(random, Signal.TRACES, OtlpEncoding.PROTOBUF, traceProto, statuses);
    fuzz(random, Signal.METRICS, OtlpEncoding.PROTOBUF, metricsProto, statuses);
    fuzz(random, Signal.TRACES, OtlpEncoding.JSON, traceJson, statuses);
    fuzz(random, Signal.METRICS, OtlpEncoding.JSON, metricsJson, statuses);

    // The loop reached both good and bad answers in every encoding: it is not fuzzing nothing.
    assertThat(statuses).containsKeys("PROTOBUF 200", "PROTOBUF 400", "JSON 200", "JSON 400");
  }

  @Test
  void deeplyNestedAttributesAre400InBothEncodings() {
    AnyValue value = AnyValue.newBuilder().setStringValue("leaf").build();
    for (int i = 0; i < 150; i++) {
      value = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
          .addValues(KeyValue.newBuilder().setKey("k").setValue(value))).build();
    }
    byte[] proto = Fixtures.traces("orders", Fixtures.serverSpan(1, "GET /", false).toBuilder()
        .addAttributes(KeyValue.newBuilder().setKey("deep").setValue(value)).build()).toByteArray();
    String json = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"k\",\"value\":"
        + "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":".repeat(150) + "{\"stringValue\":\"x\"}"
        + "}]}}".repeat(150) + "}]}}]}";

    ExportProcessor.Reply protoReply = processor.process(Signal.TRACES, OtlpEncoding.PROTOBUF, false, proto);
    ExportProcessor.Reply jsonReply = processor.process(Signal.TRACES, OtlpEncoding.JSON, false,
        json.getBytes(StandardCharsets.UTF_8));

    assertThat(protoReply.status()).isEqualTo(400);
    assertThat(jsonReply.status()).isEqualTo(400);
  }

  private void fuzz(Random random, Signal signal, OtlpEncoding encoding, byte[] seed, Map<String, Integer> statuses)
      throws Exception {
    for (int i = 0; i < ITERATIONS_PER_SEED; i++) {
      byte[] body = mutate(random, seed, encoding);
      boolean gzip = random.nextInt(8) == 0;
      ExportProcessor.Reply reply;
      try {
        reply = processor.process(signal, encoding, gzip, gzip ? Fixtures.gzip(body) : body);
      } catch (RuntimeException e) {
        throw new AssertionError("decoder threw on " + encoding + " " + signal + " body " + Arrays.toString(body), e);
      }
      assertThat(SPEC_ANSWERS).as("status for %s %s", encoding, signal).contains(reply.status());
      if (reply.status() == 200 && encoding == OtlpEncoding.PROTOBUF) {
        if (signal == Signal.TRACES) {
          ExportTraceServiceResponse.parseFrom(reply.body());
        } else {
          ExportMetricsServiceResponse.parseFrom(reply.body());
        }
      }
      statuses.merge(encoding + " " + reply.status(), 1, Integer::sum);
    }
  }

  /** Flips, drops, duplicates or truncates bytes; for JSON also swaps in characters that matter. */
  private static byte[] mutate(Random random, byte[] seed, OtlpEncoding encoding) {
    byte[] body = seed.clone();
    int mutations = 1 + random.nextInt(4);
    for (int m = 0; m < mutations && body.length > 0; m++) {
      int at = random.nextInt(body.length);
      switch (random.nextInt(5)) {
        case 0:
          body[at] ^= (byte) (1 << random.nextInt(8));
          break;
        case 1:
          body = Arrays.copyOf(body, at); // truncated
          break;
        case 2:
          byte[] longer = new byte[body.length + 1];
          System.arraycopy(body, 0, longer, 0, at);
          longer[at] = (byte) random.nextInt(256);
          System.arraycopy(body, at, longer, at + 1, body.length - at);
          body = longer;
          break;
        case 3:
          if (encoding == OtlpEncoding.JSON) {
            byte[] special = "{}[]\":,0-9e.tfn\\".getBytes(StandardCharsets.US_ASCII);
            body[at] = special[random.nextInt(special.length)];
          } else {
            body[at] = (byte) 0xff;
          }
          break;
        default:
          break; // some bodies stay valid
      }
    }
    return body;
  }

  private static byte[] decodeJsonMetrics(byte[] json) throws Exception {
    return OtlpCodec.decode(OtlpEncoding.JSON, json,
        io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.newBuilder()).build().toByteArray();
  }
}
