package dev.tandem.controller.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in Tandem observer for controller tests: serves the verdict it is told to, over real
 * HTTP, and records the switch reports it gets (and can refuse the first few).
 */
final class FakeObserver {
  final String id;
  final AtomicReference<String> recommendation = new AtomicReference<>("STAY");
  final AtomicReference<String> active = new AtomicReference<>("primary");
  final AtomicReference<String> activeHealth = new AtomicReference<>("HEALTHY");
  final AtomicInteger failReports = new AtomicInteger();
  /** When set, a verdict read gets an answer that trickles in and never ends. */
  final java.util.concurrent.atomic.AtomicBoolean trickle = new java.util.concurrent.atomic.AtomicBoolean();
  final AtomicInteger reportStatus = new AtomicInteger(503);
  final List<String> reports = new CopyOnWriteArrayList<>();
  /** The {@code by} of every accepted report. */
  final List<String> reportedBy = new CopyOnWriteArrayList<>();
  /** Every switch report that arrived, refused ones included. */
  final AtomicInteger puts = new AtomicInteger();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  private HttpServer server;

  FakeObserver(String id) {
    this.id = id;
  }

  Future<FakeObserver> start(Vertx vertx) {
    return vertx.createHttpServer().requestHandler(req -> {
      authorizations.add(String.valueOf(req.getHeader("Authorization")));
      if (req.method().name().equals("PUT") && req.path().equals("/api/v1/verdicts/order-platform/active")) {
        req.body().onSuccess(b -> {
          puts.incrementAndGet();
          if (failReports.getAndDecrement() > 0) {
            req.response().setStatusCode(reportStatus.get()).end("{\"error\":\"not now\"}");
            return;
          }
          String cloud = b.toJsonObject().getString("cloud");
          reports.add(cloud);
          reportedBy.add(String.valueOf(b.toJsonObject().getString("by")));
          active.set(cloud);
          recommendation.set("STAY");
          activeHealth.set("HEALTHY");
          req.response().setStatusCode(200).end(verdict().encode());
        });
        return;
      }
      if (trickle.get() && req.path().equals("/api/v1/verdicts/order-platform")) {
        // A byte every 100 ms, never the end: no idle timeout ever fires.
        req.response().setChunked(true).putHeader("Content-Type", "application/json").write("{");
        vertx.setPeriodic(100, t -> {
          if (req.response().closed() || req.response().ended()) {
            vertx.cancelTimer(t);
          } else {
            req.response().write(" ");
          }
        });
        return;
      }
      if (req.path().equals("/api/v1/verdicts/order-platform")) {
        req.response().putHeader("Content-Type", "application/json").end(verdict().encode());
      } else {
        req.response().setStatusCode(404).end("{\"error\":\"unknown domain\"}");
      }
    }).listen(0, "127.0.0.1").map(s -> {
      server = s;
      return this;
    });
  }

  JsonObject verdict() {
    Instant now = Instant.now();
    String a = active.get();
    String standby = a.equals("primary") ? "secondary" : "primary";
    return new JsonObject()
        .put("domain", "order-platform")
        .put("observer", new JsonObject().put("id", id).put("cloud", "primary"))
        .put("generatedAt", now.toString())
        .put("validUntil", now.plusSeconds(30).toString())
        .put("recommendation", recommendation.get())
        .put("since", now.toString())
        .put("reason", "test")
        .put("clouds", new JsonObject()
            .put(a, new JsonObject().put("role", "active").put("health", activeHealth.get()))
            .put(standby, new JsonObject().put("role", "standby").put("health", "HEALTHY")
                .put("ready", true).put("replicationLagSeconds", 1.5).put("rpoSeconds", 60)));
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
