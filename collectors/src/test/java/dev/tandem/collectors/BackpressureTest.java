package dev.tandem.collectors;

import static dev.tandem.collectors.Fixtures.await;
import static dev.tandem.collectors.Fixtures.rpcStatus;
import static dev.tandem.collectors.Fixtures.serverSpan;
import static dev.tandem.collectors.Fixtures.traces;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.CodedInputStream;
import dev.tandem.collectors.Fixtures.RecordingSink;
import dev.tandem.engine.replay.VirtualClock;
import dev.tandem.collectors.GrpcCalls.Answer;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.TelemetryObservation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bounded queue between receiving and translating: at the bound a path sheds with 429 +
 * Retry-After (gRPC UNAVAILABLE + RetryInfo), never accepts and drops, and the other path does
 * not notice.
 */
@ExtendWith(VertxExtension.class)
class BackpressureTest {

  private static final String PROTOBUF = "application/x-protobuf";
  private static final int QUEUE = 3;

  private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-26T10:00:00Z"));
  private final SpanDeduplicator deduplicator = SpanDeduplicator.create(clock);
  private final CumulativeSeries cumulative = CumulativeSeries.create(clock);
  private final GatedSink sinkA = new GatedSink();
  private final RecordingSink sinkB = new RecordingSink();
  private OtlpHttpReceiver pathA;
  private OtlpHttpReceiver pathB;
  private WebClient client;
  private GrpcCalls grpc;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    pathA = OtlpHttpReceiver.create(Fixtures.path("path-a", "primary").withGrpcPort(0)
        .withQueueBounds(QUEUE, PathSettings.DEFAULT_MAX_QUEUED_BYTES), vertx, sinkA, clock, deduplicator, cumulative);
    pathB = OtlpHttpReceiver.create(Fixtures.path("path-b", "secondary"), vertx, sinkB, clock, deduplicator, cumulative);
    await(pathA.start());
    await(pathB.start());
    client = WebClient.create(vertx);
    grpc = new GrpcCalls(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    sinkA.gate.countDown();
    grpc.close();
    await(pathA.stop());
    await(pathB.stop());
  }

  private Future<HttpResponse<Buffer>> send(OtlpHttpReceiver path, int n) {
    return client.post(path.port(), Fixtures.HOST, "/v1/traces").putHeader("Content-Type", PROTOBUF)
        .sendBuffer(Buffer.buffer(traces("svc", serverSpan(n, "GET /", false)).toByteArray()));
  }

  @Test
  void overloadedPathShedsWithRetryAfterWhileTheOtherPathAcceptsEverything() throws Exception {
    // Path A's sink hangs: its two decode threads block, the third request waits for them.
    List<Future<HttpResponse<Buffer>>> held = new ArrayList<>();
    for (int i = 0; i < QUEUE; i++) {
      held.add(send(pathA, i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> sinkA.blocked.get() == 2 && pathA.intake().requests() == QUEUE);

    List<HttpResponse<Buffer>> shed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      shed.add(await(send(pathA, 100 + i)));
    }
    Answer grpcShed = grpc.call(pathA.grpcPort(), GrpcCalls.TRACES, traces("svc", serverSpan(200, "GET /", false)).toByteArray(), null, false);
    List<HttpResponse<Buffer>> other = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      other.add(await(send(pathB, 300 + i)));
    }

    assertThat(shed).allSatisfy(r -> {
      assertThat(r.statusCode()).isEqualTo(429);
      assertThat(r.getHeader("Retry-After")).isEqualTo("1");
      assertThat(rpcStatus(Fixtures.bytes(r))[0]).isEqualTo(RpcStatus.UNAVAILABLE);
    });
    assertThat(grpcShed.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(retryDelaySeconds(grpcShed)).isEqualTo(1);
    // Path B: every request accepted and translated while path A is wedged.
    assertThat(other).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    assertThat(sinkB.goodTotal("span", "svc", "GET /")).containsExactly(20, 20);
    assertThat(pathB.stats().requestsShed()).isZero();
    assertThat(held).noneMatch(Future::isComplete);

    sinkA.gate.countDown();

    // What path A admitted, it answers 200 and translates: nothing accepted was dropped.
    for (Future<HttpResponse<Buffer>> response : held) {
      assertThat(await(response).statusCode()).isEqualTo(200);
    }
    assertThat(pathA.stats().requestsAccepted()).isEqualTo(QUEUE);
    assertThat(pathA.stats().requestsShed()).isEqualTo(6);
    assertThat(sinkA.telemetry.stream().mapToLong(TelemetryObservation::total).sum()).isEqualTo(QUEUE);
    await().atMost(Duration.ofSeconds(10)).until(() -> pathA.intake().requests() == 0 && pathA.intake().bytes() == 0);
    assertThat(await(send(pathA, 400)).statusCode()).isEqualTo(200);
  }

  @Test
  void bytesBoundShedsTooEvenWithFreeRequestPlaces(Vertx vertx) throws Exception {
    PathSettings small = new PathSettings("path-c", "primary", Fixtures.HOST, 0, List.of(), 1024, java.util.Map.of())
        .withQueueBounds(10, 1024);
    OtlpHttpReceiver pathC = OtlpHttpReceiver.create(small, vertx, sinkA, clock, deduplicator, cumulative);
    await(pathC.start());
    try {
      Future<HttpResponse<Buffer>> first = client.post(pathC.port(), Fixtures.HOST, "/v1/traces").putHeader("Content-Type", PROTOBUF)
          .sendBuffer(Buffer.buffer(traces("svc", serverSpan(1, "p".repeat(600), false)).toByteArray()));
      await().atMost(Duration.ofSeconds(10)).until(() -> sinkA.blocked.get() >= 1);

      HttpResponse<Buffer> second = await(client.post(pathC.port(), Fixtures.HOST, "/v1/traces").putHeader("Content-Type", PROTOBUF)
          .sendBuffer(Buffer.buffer(traces("svc", serverSpan(2, "q".repeat(600), false)).toByteArray())));

      assertThat(second.statusCode()).isEqualTo(429);
      assertThat(second.getHeader("Retry-After")).isEqualTo("1");
      sinkA.gate.countDown();
      assertThat(await(first).statusCode()).isEqualTo(200);
    } finally {
      await(pathC.stop());
    }
  }

  private static long retryDelaySeconds(Answer answer) throws Exception {
    String details = answer.metadata().get("grpc-status-details-bin");
    assertThat(details).isNotNull();
    CodedInputStream status = CodedInputStream.newInstance(Base64.getDecoder().decode(details));
    for (int tag = status.readTag(); tag != 0; tag = status.readTag()) {
      if (tag == ((3 << 3) | 2)) {
        Any any = Any.parseFrom(status.readBytes());
        assertThat(any.getTypeUrl()).isEqualTo("type.googleapis.com/google.rpc.RetryInfo");
        CodedInputStream retryInfo = CodedInputStream.newInstance(any.getValue().toByteArray());
        retryInfo.readTag();
        CodedInputStream duration = CodedInputStream.newInstance(retryInfo.readBytes().toByteArray());
        duration.readTag();
        return duration.readInt64();
      }
      status.skipField(tag);
    }
    return -1;
  }

  /** A sink that blocks its callers until the gate opens: a hung downstream, on purpose. */
  private static final class GatedSink implements ObservationSink {
    final CountDownLatch gate = new CountDownLatch(1);
    final AtomicInteger blocked = new AtomicInteger();
    final List<TelemetryObservation> telemetry = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void accept(Observation observation) {
      if (observation instanceof TelemetryObservation) {
        blocked.incrementAndGet();
        try {
          gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        telemetry.add((TelemetryObservation) observation);
      }
    }
  }
}
