package dev.tandem.controller.traffic;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Drives the platform simulator's traffic manager ({@code PUT /_sim/active}): one call moves the
 * public endpoint to the new active cloud, promotes it to take writes and makes the old one a read
 * replica. The simulator has a single domain, so {@code domain} only appears in messages.
 */
public final class SimulatorTrafficSwitch implements TrafficSwitch {
  private final HttpClient client;
  private final String adminUrl;
  private final Duration timeout;

  private SimulatorTrafficSwitch(Vertx vertx, String adminUrl, Duration timeout) {
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    this.adminUrl = adminUrl.endsWith("/") ? adminUrl.substring(0, adminUrl.length() - 1) : adminUrl;
    this.timeout = timeout;
  }

  /** A switch for the simulator whose admin API is at {@code adminUrl}. */
  public static SimulatorTrafficSwitch create(Vertx vertx, String adminUrl, Duration timeout) {
    return new SimulatorTrafficSwitch(vertx, adminUrl, timeout);
  }

  @Override
  public CompletionStage<Void> activate(String domain, String cloud) {
    return call(HttpMethod.PUT, new JsonObject().put("cloud", cloud)).compose(body -> {
      String now = body.getString("active");
      return cloud.equals(now) ? Future.<Void>succeededFuture()
          : Future.<Void>failedFuture("the simulator reports " + now + " active after switching " + domain
              + " to " + cloud);
    }).toCompletionStage();
  }

  @Override
  public CompletionStage<Optional<String>> active(String domain) {
    return call(HttpMethod.GET, null).map(b -> Optional.ofNullable(b.getString("active"))).toCompletionStage();
  }

  private Future<JsonObject> call(HttpMethod method, JsonObject body) {
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(adminUrl + "/_sim/active")
        .setTimeout(timeout.toMillis()).putHeader("Content-Type", "application/json");
    return client.request(options)
        .compose(req -> body == null ? req.send() : req.send(body.toBuffer()))
        .compose(resp -> resp.body().compose(b -> {
          if (resp.statusCode() != 200) {
            return Future.failedFuture("the simulator answered HTTP " + resp.statusCode() + ": " + clip(b));
          }
          try {
            return Future.succeededFuture(b.toJsonObject());
          } catch (RuntimeException e) {
            return Future.failedFuture("the simulator answered something other than JSON: " + clip(b));
          }
        }));
  }

  private static String clip(Buffer b) {
    String s = b.toString();
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  /** Closes the HTTP client; a switch still in flight fails. */
  public Future<Void> close() {
    return client.close();
  }
}
