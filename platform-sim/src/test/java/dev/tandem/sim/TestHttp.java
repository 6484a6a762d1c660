package dev.tandem.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A blocking HTTP client for tests: waits on the test thread, never on an event loop. */
final class TestHttp {
  private final WebClient client;

  TestHttp(Vertx vertx) {
    this(vertx, true);
  }

  private TestHttp(Vertx vertx, boolean keepAlive) {
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(2_000).setKeepAlive(keepAlive));
  }

  /**
   * A client that opens a new connection for every request: what a test of "new connections are
   * refused" needs, since a pooled keep-alive connection may be handed out before its client has
   * noticed that the server closed it (on a loaded machine, even after a refused connect).
   */
  static TestHttp freshConnections(Vertx vertx) {
    return new TestHttp(vertx, false);
  }

  HttpResponse<Buffer> send(HttpMethod method, String url, Map<String, String> headers, String body)
      throws Exception {
    HttpRequest<Buffer> request = client.requestAbs(method, url).timeout(5_000);
    headers.forEach(request::putHeader);
    Future<HttpResponse<Buffer>> answer =
        body == null ? request.send() : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body));
    return await(answer);
  }

  HttpResponse<Buffer> get(String url) throws Exception {
    return send(HttpMethod.GET, url, Map.of(), null);
  }

  HttpResponse<Buffer> post(String url) throws Exception {
    return send(HttpMethod.POST, url, Map.of(), null);
  }

  HttpResponse<Buffer> post(String url, JsonObject body, Map<String, String> headers) throws Exception {
    return send(HttpMethod.POST, url, headers, body.encode());
  }

  HttpResponse<Buffer> submit(String baseUrl, Map<String, String> headers) throws Exception {
    return post(baseUrl + "/orders",
        new JsonObject().put("sku", "SKU-1").put("qty", 1).put("customer", "synthetic"), headers);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
