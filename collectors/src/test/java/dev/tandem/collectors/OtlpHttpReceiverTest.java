package dev.tandem.collectors;

import static dev.tandem.collectors.Fixtures.attribute;
import static dev.tandem.collectors.Fixtures.await;
import static dev.tandem.collectors.Fixtures.gzip;
import static dev.tandem.collectors.Fixtures.hex;
import static dev.tandem.collectors.Fixtures.path;
import static dev.tandem.collectors.Fixtures.post;
import static dev.tandem.collectors.Fixtures.resource;
import static dev.tandem.collectors.Fixtures.rpcStatus;
import static dev.tandem.collectors.Fixtures.serverSpan;
import static dev.tandem.collectors.Fixtures.traces;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.collectors.Fixtures.RecordingSink;
import dev.tandem.engine.replay.VirtualClock;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.TelemetryObservation;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class OtlpHttpReceiverTest {

  private static final String PROTOBUF = "application/x-protobuf";
  private static final String JSON = "application/json";

  private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-26T10:00:00Z"));
  private final RecordingSink sink = new RecordingSink();
  private final SpanDeduplicator deduplicator = SpanDeduplicator.create(clock);
  private final CumulativeSeries cumulative = CumulativeSeries.create(clock);
  private final List<OtlpHttpReceiver> receivers = new ArrayList<>();
  private Vertx vertx;
  private WebClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.client = WebClient.create(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (OtlpHttpReceiver receiver : receivers) {
      await(receiver.stop());
    }
  }

  private OtlpHttpReceiver start(PathSettings settings) throws Exception {
    OtlpHttpReceiver receiver = OtlpHttpReceiver.create(settings, vertx, sink, clock, deduplicator, cumulative);
    receivers.add(receiver);
    int port = await(receiver.start());
    assertThat(port).isPositive().isEqualTo(receiver.port());
    return receiver;
  }

  private OtlpHttpReceiver start() throws Exception {
    return start(path("path-a", "primary"));
  }

  @Test
  void conformanceTraceJsonIsAcceptedWithHexIdsDecodedAsBytes() throws Exception {
    OtlpHttpReceiver receiver = start();

    HttpResponse<Buffer> response = post(client, receiver.port(), "/v1/traces", JSON, resource("trace.json"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo(JSON);
    assertThat(new JsonObject(response.bodyAsString())).isEqualTo(new JsonObject());
    // The example span lasts exactly one second: counted at the 1000 ms bound and above.
    assertThat(sink.of(TelemetryObservation.class)).containsExactly(new TelemetryObservation(clock.instant(),
        "path-a", "primary", "my.service", "I'm a server span", "span", 1, 1,
        dev.tandem.engine.observation.LatencyCounts.of(new long[] {1000})));
    // The span was remembered under the bytes its hex spells, not under a base64 misreading.
    assertThat(deduplicator.firstSeen(hex("5B8EFFF798038103D269B633813FC60C").toByteArray(),
        hex("EEE19B7EC3C1B174").toByteArray())).isFalse();
  }

  @Test
  void conformanceMetricsJsonIsAcceptedAndEveryPointCounted() throws Exception {
    OtlpHttpReceiver receiver = start();

    HttpResponse<Buffer> response = post(client, receiver.port(), "/v1/metrics", JSON, resource("metrics.json"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo(JSON);
    assertThat(receiver.stats().pointsAccepted()).isEqualTo(4);
    assertThat(receiver.stats().pointsRejected()).isZero();
    assertThat(sink.of(HeartbeatObservation.class))
        .containsExactly(new HeartbeatObservation(clock.instant(), "path-a", "primary"));
  }

  @Test
  void logsAreNotServedAndAnswer404WithRpcStatus() throws Exception {
    OtlpHttpReceiver receiver = start();

    HttpResponse<Buffer> json = post(client, receiver.port(), "/v1/logs", JSON, resource("logs.json"));
    HttpResponse<Buffer> protobuf = post(client, receiver.port(), "/v1/logs", PROTOBUF, new byte[] {0x0a, 0x00});

    assertThat(json.statusCode()).isEqualTo(404);
    JsonObject status = new JsonObject(json.bodyAsString());
    assertThat(status.getInteger("code")).isEqualTo(RpcStatus.UNIMPLEMENTED);
    assertThat(status.getString("message")).contains("logs");
    assertThat(protobuf.statusCode()).isEqualTo(404);
    assertThat(protobuf.getHeader("Content-Type")).isEqualTo(PROTOBUF);
    assertThat(rpcStatus(Fixtures.bytes(protobuf))[0]).isEqualTo(RpcStatus.UNIMPLEMENTED);
    assertThat(sink.observations).isEmpty();
  }

  @Test
  void garbageBodyIs400AndServiceKeepsServing() throws Exception {
    OtlpHttpReceiver receiver = start();
    byte[] garbage = "this is neither protobuf nor JSON \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);

    HttpResponse<Buffer> badProtobuf = post(client, receiver.port(), "/v1/traces", PROTOBUF, garbage);
    HttpResponse<Buffer> badJson = post(client, receiver.port(), "/v1/metrics", JSON, garbage);
    HttpResponse<Buffer> trailingJunk = post(client, receiver.port(), "/v1/traces", JSON, "{} {".getBytes(StandardCharsets.UTF_8));
    HttpResponse<Buffer> good = post(client, receiver.port(), "/v1/traces", PROTOBUF,
        traces("orders", serverSpan(1, "GET /orders", false)).toByteArray());

    assertThat(badProtobuf.statusCode()).isEqualTo(400);
    assertThat(badProtobuf.getHeader("Content-Type")).isEqualTo(PROTOBUF);
    assertThat(rpcStatus(Fixtures.bytes(badProtobuf))[0]).isEqualTo(RpcStatus.INVALID_ARGUMENT);
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(badJson.bodyAsString()).getInteger("code")).isEqualTo(RpcStatus.INVALID_ARGUMENT);
    assertThat(trailingJunk.statusCode()).isEqualTo(400);
    assertThat(good.statusCode()).isEqualTo(200);
    assertThat(ExportTraceServiceResponse.parseFrom(Fixtures.bytes(good)).hasPartialSuccess()).isFalse();
    assertThat(sink.goodTotal("span", "orders", "GET /orders")).containsExactly(1, 1);
    assertThat(receiver.stats().requestsRejected(400)).isEqualTo(3);
    assertThat(receiver.stats().requestsAccepted()).isEqualTo(1);
  }

  @Test
  void base64IdsInJsonAreRefusedBecauseOtlpJsonIdsAreHex() throws Exception {
    OtlpHttpReceiver receiver = start();
    String json = new String(resource("trace.json"), StandardCharsets.UTF_8)
        .replace("5B8EFFF798038103D269B633813FC60C", "W47/95gDgQPSabYzgT/GDA==");

    HttpResponse<Buffer> response = post(client, receiver.port(), "/v1/traces", JSON, json.getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(response.bodyAsString()).getString("message")).contains("hex");
    assertThat(sink.observations).isEmpty();
  }

  @Test
  void wrongMethodIs405WithAllowHeader() throws Exception {
    OtlpHttpReceiver receiver = start();

    HttpResponse<Buffer> response = await(client.get(receiver.port(), Fixtures.HOST, "/v1/traces").send());

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.getHeader("Allow")).isEqualTo("POST");
    assertThat(new JsonObject(response.bodyAsString()).getInteger("code")).isEqualTo(RpcStatus.UNIMPLEMENTED);
  }

  @Test
  void unknownContentTypeIs415AndUnknownPathIs404() throws Exception {
    OtlpHttpReceiver receiver = start();
    byte[] body = resource("trace.json");

    HttpResponse<Buffer> text = post(client, receiver.port(), "/v1/traces", "text/plain", body);
    HttpResponse<Buffer> none = post(client, receiver.port(), "/v1/traces", null, body);
    HttpResponse<Buffer> unknownPath = post(client, receiver.port(), "/v1/spans", JSON, body);
    HttpResponse<Buffer> jsonWithCharset = post(client, receiver.port(), "/v1/traces", "application/json; charset=utf-8", body);

    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(text.getHeader("Content-Type")).isEqualTo(JSON);
    assertThat(new JsonObject(text.bodyAsString()).getString("message")).contains("application/x-protobuf");
    assertThat(none.statusCode()).isEqualTo(415);
    assertThat(unknownPath.statusCode()).isEqualTo(404);
    assertThat(jsonWithCharset.statusCode()).isEqualTo(200);
  }

  @Test
  void bodyOverTheLimitIs413AndServiceKeepsServing() throws Exception {
    OtlpHttpReceiver receiver = start(new PathSettings("path-a", "primary", Fixtures.HOST, 0, List.of(), 1024, Map.of()));
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      spans.add(serverSpan(i, "GET /orders/with/a/rather/long/name", false));
    }
    byte[] large = traces("orders", spans.toArray(new Span[0])).toByteArray();
    assertThat(large.length).isGreaterThan(1024);

    HttpResponse<Buffer> tooLarge = post(client, receiver.port(), "/v1/traces", PROTOBUF, large);
    HttpResponse<Buffer> small = post(client, receiver.port(), "/v1/traces", PROTOBUF,
        traces("orders", serverSpan(1, "GET /orders", false)).toByteArray());

    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(rpcStatus(Fixtures.bytes(tooLarge))[0]).isEqualTo(RpcStatus.RESOURCE_EXHAUSTED);
    assertThat(small.statusCode()).isEqualTo(200);
    assertThat(sink.goodTotal("span", "orders", "GET /orders")).containsExactly(1, 1);
  }

  @Test
  void expectContinueIsRefusedUpFrontWhenTooLargeAndHonouredOtherwise() throws Exception {
    OtlpHttpReceiver receiver = start(new PathSettings("path-a", "primary", Fixtures.HOST, 0, List.of(), 1024, Map.of()));
    HttpClient http = vertx.createHttpClient();
    byte[] body = traces("orders", serverSpan(1, "GET /orders", false)).toByteArray();

    HttpClientResponse refused = await(http.request(HttpMethod.POST, receiver.port(), Fixtures.HOST, "/v1/traces")
        .compose(request -> {
          request.putHeader("Content-Type", PROTOBUF).putHeader("Content-Length", "999999")
              .putHeader("Expect", "100-continue");
          // The server closes the connection after refusing: the unsent body cannot follow.
          request.exceptionHandler(e -> { });
          return request.sendHead().compose(v -> request.response());
        }));
    Promise<HttpClientResponse> continued = Promise.promise();
    http.request(HttpMethod.POST, receiver.port(), Fixtures.HOST, "/v1/traces").onSuccess(request -> {
      request.putHeader("Content-Type", PROTOBUF).putHeader("Content-Length", String.valueOf(body.length))
          .putHeader("Expect", "100-continue");
      request.continueHandler(v -> request.end(Buffer.buffer(body)));
      request.response().onComplete(continued);
      request.sendHead();
    }).onFailure(continued::fail);

    assertThat(refused.statusCode()).isEqualTo(413);
    assertThat(await(continued.future()).statusCode()).isEqualTo(200);
    assertThat(sink.goodTotal("span", "orders", "GET /orders")).containsExactly(1, 1);
  }

  @Test
  void gzipBodiesAreAcceptedAndTheLimitAppliesAfterDecompression() throws Exception {
    OtlpHttpReceiver receiver = start(new PathSettings("path-a", "primary", Fixtures.HOST, 0, List.of(), 4096, Map.of()));
    byte[] bomb = gzip(new byte[256 * 1024]);
    assertThat(bomb.length).isLessThan(4096);

    HttpResponse<Buffer> ok = post(client, receiver.port(), "/v1/traces", JSON, gzip(resource("trace.json")),
        "Content-Encoding", "gzip");
    HttpResponse<Buffer> inflatedTooLarge = post(client, receiver.port(), "/v1/traces", PROTOBUF, bomb,
        "Content-Encoding", "gzip");
    HttpResponse<Buffer> notGzip = post(client, receiver.port(), "/v1/traces", PROTOBUF, new byte[] {1, 2, 3},
        "Content-Encoding", "gzip");
    HttpResponse<Buffer> brotli = post(client, receiver.port(), "/v1/traces", PROTOBUF, new byte[] {1, 2, 3},
        "Content-Encoding", "br");

    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(sink.goodTotal("span", "my.service", "I'm a server span")).containsExactly(1, 1);
    assertThat(inflatedTooLarge.statusCode()).isEqualTo(413);
    assertThat(notGzip.statusCode()).isEqualTo(400);
    assertThat(brotli.statusCode()).isEqualTo(415);
  }

  @Test
  void bearerTokenIsRequiredWhenThePathHasTokens() throws Exception {
    OtlpHttpReceiver receiver = start(new PathSettings("path-a", "primary", Fixtures.HOST, 0,
        List.of("s3cret-one", "s3cret-two"), Map.of()));
    byte[] body = traces("orders", serverSpan(1, "GET /orders", false)).toByteArray();

    HttpResponse<Buffer> none = post(client, receiver.port(), "/v1/traces", PROTOBUF, body);
    HttpResponse<Buffer> wrong = post(client, receiver.port(), "/v1/traces", PROTOBUF, body,
        "Authorization", "Bearer s3cret-on");
    HttpResponse<Buffer> basic = post(client, receiver.port(), "/v1/traces", PROTOBUF, body,
        "Authorization", "Basic s3cret-two");
    HttpResponse<Buffer> right = post(client, receiver.port(), "/v1/traces", PROTOBUF, body,
        "Authorization", "Bearer s3cret-two");

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(rpcStatus(Fixtures.bytes(none))[0]).isEqualTo(RpcStatus.UNAUTHENTICATED);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(receiver.stats().requestsRejected(401)).isEqualTo(3);
    assertThat(sink.goodTotal("span", "orders", "GET /orders")).containsExactly(1, 1);
    assertThat(receiver.settings().toString()).doesNotContain("s3cret");
  }

  @Test
  void retriedSpansAreCountedOnce() throws Exception {
    OtlpHttpReceiver receiver = start();
    byte[] body = traces("orders", serverSpan(1, "GET /orders", false), serverSpan(2, "GET /orders", true),
        serverSpan(3, "GET /orders", false)).toByteArray();

    assertThat(post(client, receiver.port(), "/v1/traces", PROTOBUF, body).statusCode()).isEqualTo(200);
    assertThat(post(client, receiver.port(), "/v1/traces", PROTOBUF, body).statusCode()).isEqualTo(200);

    assertThat(sink.goodTotal("span", "orders", "GET /orders")).containsExactly(2, 3);
    assertThat(receiver.stats().duplicateSpans()).isEqualTo(3);
    assertThat(receiver.stats().spansAccepted()).isEqualTo(6);
  }

  @Test
  void spanArrivingOverBothPathsIsCountedOnceButBothPathsAreAlive() throws Exception {
    OtlpHttpReceiver pathA = start(path("path-a", "primary"));
    OtlpHttpReceiver pathB = start(path("path-b", "secondary"));
    byte[] body = traces("orders", serverSpan(7, "POST /orders", false)).toByteArray();

    assertThat(post(client, pathA.port(), "/v1/traces", PROTOBUF, body).statusCode()).isEqualTo(200);
    assertThat(post(client, pathB.port(), "/v1/traces", PROTOBUF, body).statusCode()).isEqualTo(200);

    assertThat(sink.of(TelemetryObservation.class)).extracting(TelemetryObservation::path).containsExactly("path-a");
    assertThat(sink.goodTotal("span", "orders", "POST /orders")).containsExactly(1, 1);
    assertThat(sink.of(HeartbeatObservation.class)).extracting(HeartbeatObservation::path)
        .containsExactlyInAnyOrder("path-a", "path-b");
    assertThat(pathB.stats().duplicateSpans()).isEqualTo(1);
  }

  @Test
  void oneStoppedPathLeavesTheOtherServing() throws Exception {
    OtlpHttpReceiver pathA = start(path("path-a", "primary"));
    OtlpHttpReceiver pathB = start(path("path-b", "secondary"));

    await(pathA.stop());
    HttpResponse<Buffer> response = post(client, pathB.port(), "/v1/traces", PROTOBUF,
        traces("orders", serverSpan(1, "GET /orders", false)).toByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(sink.goodTotal("span", "orders", "GET /orders")).containsExactly(1, 1);
  }

  @Test
  void heartbeatsAreThrottledToOnePerSecondPerPath() throws Exception {
    OtlpHttpReceiver receiver = start();
    byte[] body = traces("orders", serverSpan(1, "GET /orders", false)).toByteArray();

    for (int i = 0; i < 3; i++) {
      post(client, receiver.port(), "/v1/traces", PROTOBUF, body);
    }
    clock.advance(Duration.ofMillis(999));
    post(client, receiver.port(), "/v1/traces", PROTOBUF, body);
    assertThat(sink.of(HeartbeatObservation.class)).hasSize(1);

    clock.advance(Duration.ofMillis(1));
    post(client, receiver.port(), "/v1/traces", PROTOBUF, body);
    assertThat(sink.of(HeartbeatObservation.class)).extracting(HeartbeatObservation::ts)
        .containsExactly(Instant.parse("2026-11-26T10:00:00Z"), Instant.parse("2026-11-26T10:00:01Z"));
  }

  @Test
  void emptyRequestIsAcceptedWithoutHeartbeat() throws Exception {
    OtlpHttpReceiver receiver = start();

    HttpResponse<Buffer> response = post(client, receiver.port(), "/v1/traces", JSON, "{}".getBytes(StandardCharsets.UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(sink.observations).isEmpty();
  }

  @Test
  void resourceCloudAttributeWinsOverThePathsCloudForTelemetry() throws Exception {
    OtlpHttpReceiver receiver = start();
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder()
                .addAttributes(attribute("service.name", "inventory"))
                .addAttributes(attribute("tandem.cloud", "secondary")))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(serverSpan(1, "GET /stock", true))))
        .build();

    post(client, receiver.port(), "/v1/traces", PROTOBUF, request.toByteArray());

    assertThat(sink.of(TelemetryObservation.class)).singleElement()
        .satisfies(t -> assertThat(t.cloud()).isEqualTo("secondary"))
        .satisfies(t -> assertThat(t.good()).isZero())
        .satisfies(t -> assertThat(t.total()).isEqualTo(1));
    assertThat(sink.of(HeartbeatObservation.class)).singleElement()
        .satisfies(h -> assertThat(h.cloud()).isEqualTo("primary"));
  }

  @Test
  void spansWithoutValidIdsAreReportedAsPartialSuccess() throws Exception {
    OtlpHttpReceiver receiver = start();
    Span noIds = serverSpan(1, "GET /orders", false).toBuilder().clearTraceId().clearSpanId().build();
    byte[] body = traces("orders", noIds, serverSpan(2, "GET /orders", false)).toByteArray();

    HttpResponse<Buffer> response = post(client, receiver.port(), "/v1/traces", PROTOBUF, body);

    assertThat(response.statusCode()).isEqualTo(200);
    ExportTraceServiceResponse reply = ExportTraceServiceResponse.parseFrom(Fixtures.bytes(response));
    assertThat(reply.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(reply.getPartialSuccess().getErrorMessage()).contains("trace id");
    assertThat(sink.goodTotal("span", "orders", "GET /orders")).containsExactly(1, 1);
    assertThat(receiver.stats().spansRejected()).isEqualTo(1);
  }

  @Test
  void startingTwiceFails() throws Exception {
    OtlpHttpReceiver receiver = start();

    assertThat(receiver.start().toCompletionStage().toCompletableFuture())
        .failsWithin(Duration.ofSeconds(5));
  }
}
