package dev.tandem.collectors;

import static dev.tandem.collectors.Fixtures.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OtlpCodecTest {

  private static ExportTraceServiceRequest traces(String json) throws RequestRejected {
    return OtlpCodec.decode(OtlpEncoding.JSON, json.getBytes(StandardCharsets.UTF_8),
        ExportTraceServiceRequest.newBuilder()).build();
  }

  @Test
  void conformanceTraceJsonDecodesHexIdsEnumsAndInt64Strings() throws Exception {
    ExportTraceServiceRequest request = OtlpCodec.decode(OtlpEncoding.JSON, Fixtures.resource("trace.json"),
        ExportTraceServiceRequest.newBuilder()).build();

    Span span = request.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(span.getTraceId()).isEqualTo(hex("5B8EFFF798038103D269B633813FC60C"));
    assertThat(span.getSpanId()).isEqualTo(hex("EEE19B7EC3C1B174"));
    assertThat(span.getParentSpanId()).isEqualTo(hex("EEE19B7EC3C1B173"));
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(span.getStartTimeUnixNano()).isEqualTo(1544712660000000000L);
  }

  @Test
  void conformanceMetricsJsonDecodes() throws Exception {
    ExportMetricsServiceRequest request = OtlpCodec.decode(OtlpEncoding.JSON, Fixtures.resource("metrics.json"),
        ExportMetricsServiceRequest.newBuilder()).build();

    var metrics = request.getResourceMetrics(0).getScopeMetrics(0).getMetricsList();
    assertThat(metrics).extracting(m -> m.getName())
        .containsExactly("my.counter", "my.gauge", "my.histogram", "my.exponential.histogram");
    assertThat(metrics.get(2).getHistogram().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
    assertThat(metrics.get(2).getHistogram().getDataPoints(0).getCount()).isEqualTo(2);
  }

  @Test
  void unknownFieldsAreIgnoredAndLinkIdsAreHexToo() throws Exception {
    ExportTraceServiceRequest request = traces("{\"resourceSpans\":[{\"futureField\":{\"x\":1},"
        + "\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\","
        + "\"kind\":\"SPAN_KIND_SERVER\",\"links\":[{\"traceId\":\"ffffffffffffffffffffffffffffffff\",\"spanId\":\"00000000000000ff\"}]}]}]}]}");

    Span span = request.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(span.getLinks(0).getSpanId()).isEqualTo(hex("00000000000000ff"));
    assertThat(span.getLinks(0).getTraceId()).isEqualTo(hex("ffffffffffffffffffffffffffffffff"));
  }

  @Test
  void nonHexIdsAndDeepNestingAre400() {
    assertThatThrownBy(() -> traces("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":\"zz\"}]}]}]}"))
        .isInstanceOfSatisfying(RequestRejected.class, e -> assertThat(e.status).isEqualTo(400));
    String deep = "{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
    assertThatThrownBy(() -> traces(deep))
        .isInstanceOfSatisfying(RequestRejected.class, e -> assertThat(e.status).isEqualTo(400));
  }

  @Test
  void gunzipStopsAtTheLimit() {
    byte[] bomb = Fixtures.gzip(new byte[1 << 20]);

    assertThatThrownBy(() -> OtlpCodec.gunzip(bomb, 1000))
        .isInstanceOfSatisfying(RequestRejected.class, e -> assertThat(e.status).isEqualTo(413));
  }

  @Test
  void jsonResponsePrintsPartialSuccessWithInt64AsString() {
    byte[] json = OtlpCodec.encode(OtlpEncoding.JSON, ExportTraceServiceResponse.newBuilder()
        .setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(2).setErrorMessage("bad ids"))
        .build());

    assertThat(new String(json, StandardCharsets.UTF_8))
        .isEqualTo("{\"partialSuccess\":{\"rejectedSpans\":\"2\",\"errorMessage\":\"bad ids\"}}");
  }
}
