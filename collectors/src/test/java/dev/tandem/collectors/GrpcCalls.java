package dev.tandem.collectors;

import static dev.tandem.collectors.Fixtures.await;

import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;

/** Raw unary gRPC calls, for the answers an SDK exporter cannot be made to provoke. */
final class GrpcCalls implements AutoCloseable {

  static final String TRACES = "opentelemetry.proto.collector.trace.v1.TraceService/Export";
  static final String METRICS = "opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
  static final String LOGS = "opentelemetry.proto.collector.logs.v1.LogsService/Export";

  /** What came back: status, message, headers and trailers together, and the body. */
  record Answer(GrpcStatus status, String message, MultiMap metadata, byte[] body) {}

  private final GrpcClient client;

  GrpcCalls(Vertx vertx) {
    this.client = GrpcClient.client(vertx);
  }

  Answer call(int port, String method, byte[] message, String token, boolean gzip) throws Exception {
    GrpcClientRequest<Buffer, Buffer> request = await(client.request(SocketAddress.inetSocketAddress(port, Fixtures.HOST)));
    request.fullMethodName(method);
    if (token != null) {
      request.headers().set("authorization", "Bearer " + token);
    }
    if (gzip) {
      request.encoding("gzip");
    }
    Promise<Answer> answer = Promise.promise();
    request.response().onFailure(answer::tryFail).onSuccess(response -> collect(response, answer));
    request.end(Buffer.buffer(message));
    return await(answer.future());
  }

  private static void collect(GrpcClientResponse<Buffer, Buffer> response, Promise<Answer> answer) {
    Buffer body = Buffer.buffer();
    response.handler(body::appendBuffer);
    response.exceptionHandler(answer::tryFail);
    response.endHandler(v -> {
      MultiMap metadata = MultiMap.caseInsensitiveMultiMap().addAll(response.headers());
      if (response.trailers() != null) {
        metadata.addAll(response.trailers());
      }
      answer.tryComplete(new Answer(response.status(), response.statusMessage(), metadata, body.getBytes()));
    });
  }

  @Override
  public void close() throws Exception {
    await(client.close());
  }
}
