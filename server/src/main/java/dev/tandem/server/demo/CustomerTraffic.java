package dev.tandem.server.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A customer of the platform: one order-to-invoice journey a second through the public endpoint
 * (the traffic manager), wherever it sends them. The demo measures recovery by it: the first
 * journey that completes on the new active cloud after a switch. One journey at a time; a journey
 * still running when the next is due makes that one skip.
 */
final class CustomerTraffic {
  private static final long EVERY_MS = 1_000;
  private static final int TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final WebClient client;
  private final String baseUrl;
  private final Clock clock;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicReference<Instant> watchFrom = new AtomicReference<>();
  private final AtomicReference<String> watchCloud = new AtomicReference<>();
  private final AtomicReference<LoopDemo.CustomerJourney> firstAfter = new AtomicReference<>();
  private volatile long ok;
  private volatile long failed;
  private long timer = -1;

  CustomerTraffic(Vertx vertx, String baseUrl, Clock clock) {
    this.vertx = vertx;
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(TIMEOUT_MS));
    this.baseUrl = baseUrl;
    this.clock = clock;
  }

  void start() {
    timer = vertx.setPeriodic(EVERY_MS, id -> run());
  }

  /** From now on, remembers the first journey that started at or after {@code from} and completed on {@code cloud}. */
  void watch(Instant from, String cloud) {
    firstAfter.set(null);
    watchCloud.set(cloud);
    watchFrom.set(from);
  }

  Optional<LoopDemo.CustomerJourney> firstOnWatchedCloud() {
    return Optional.ofNullable(firstAfter.get());
  }

  long ok() {
    return ok;
  }

  long failed() {
    return failed;
  }

  private void run() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    Instant started = clock.instant();
    JsonObject order = new JsonObject().put("sku", "SKU-1").put("qty", 1).put("customer", "demo-customer");
    client.postAbs(baseUrl + "/orders").timeout(TIMEOUT_MS).sendJsonObject(order)
        .compose(r -> expect(r, 201))
        .compose(r -> {
          String id = r.bodyAsJsonObject().getString("id");
          return step("/orders/" + id + "/allocation", 200)
              .compose(x -> step("/orders/" + id + "/pick-confirmation", 200))
              .compose(x -> step("/orders/" + id + "/shipment-confirmation", 200))
              .compose(x -> step("/orders/" + id + "/invoice", 201));
        })
        .onComplete(ar -> {
          running.set(false);
          if (ar.failed()) {
            failed++;
            return;
          }
          ok++;
          LoopDemo.CustomerJourney done = new LoopDemo.CustomerJourney(started, clock.instant(), ar.result().getHeader("X-Tandem-Cloud"));
          Instant from = watchFrom.get();
          if (from != null && !started.isBefore(from) && done.cloud() != null && done.cloud().equals(watchCloud.get())) {
            firstAfter.compareAndSet(null, done);
          }
        });
  }

  private Future<HttpResponse<Buffer>> step(String path, int status) {
    return client.postAbs(baseUrl + path).timeout(TIMEOUT_MS).send().compose(r -> expect(r, status));
  }

  private static Future<HttpResponse<Buffer>> expect(HttpResponse<Buffer> r, int status) {
    return r.statusCode() == status ? Future.succeededFuture(r)
        : Future.failedFuture("HTTP " + r.statusCode());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    client.close();
  }
}
