package dev.tandem.bench.catalogue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A PagerDuty Events API v2 endpoint on loopback for the benchmark: records every event with when
 * it came, checks it against the Events v2 rules (known routing key, action, dedup key, a
 * trigger's summary, source and severity) and answers 202 as PagerDuty does. Keeps at most
 * {@link #MAX_EVENTS} events and {@link #MAX_VIOLATIONS} violations; beyond, it counts them.
 */
final class EventsV2StandIn implements AutoCloseable {
  static final int MAX_EVENTS = 10_000;
  static final int MAX_VIOLATIONS = 100;
  private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

  /** One event: when it arrived, the routing role its key stands for, and what it said. */
  record Event(Instant at, String routing, String action, String severity, String dedupKey, String summary) {}

  private final ObjectMapper json = new ObjectMapper();
  private final Clock clock;
  private final Map<String, String> roleByKey;
  private final List<Event> events = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private long dropped;
  private HttpServer server;

  /** @param roleByKey routing key to the role it stands for ({@code SERVICE}, {@code OBSERVABILITY}) */
  EventsV2StandIn(Clock clock, Map<String, String> roleByKey) {
    this.clock = clock;
    this.roleByKey = Map.copyOf(roleByKey);
  }

  EventsV2StandIn start(Vertx vertx) throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(ar -> {
      if (ar.failed()) {
        req.response().setStatusCode(400).end();
        return;
      }
      String dedup = "";
      try {
        JsonNode body = json.readTree(ar.result().toString());
        dedup = body.path("dedup_key").asText("");
        record(body);
      } catch (Exception e) {
        violation("not JSON: " + e.getMessage());
      }
      req.response().setStatusCode(202).putHeader("Content-Type", "application/json")
          .end("{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":" + json.valueToTree(dedup) + "}");
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/v2/enqueue";
  }

  private synchronized void record(JsonNode b) {
    String key = b.path("routing_key").asText("");
    String action = b.path("event_action").asText("");
    String dedup = b.path("dedup_key").asText("");
    JsonNode p = b.path("payload");
    String role = roleByKey.get(key);
    if (role == null) {
      violation("unknown routing_key for " + dedup);
      role = "UNKNOWN";
    }
    if (!action.equals("trigger") && !action.equals("resolve") && !action.equals("acknowledge")) {
      violation("bad event_action '" + action + "' for " + dedup);
    }
    if (dedup.isEmpty() || dedup.length() > 255) {
      violation("bad dedup_key '" + dedup + "'");
    }
    if (action.equals("trigger")) {
      String summary = p.path("summary").asText("");
      if (summary.isEmpty() || summary.length() > 1024) {
        violation("summary of " + summary.length() + " characters for " + dedup);
      }
      if (p.path("source").asText("").isEmpty()) {
        violation("no payload.source for " + dedup);
      }
      if (!SEVERITIES.contains(p.path("severity").asText(""))) {
        violation("bad severity '" + p.path("severity").asText("") + "' for " + dedup);
      }
    }
    if (events.size() >= MAX_EVENTS) {
      dropped++;
      return;
    }
    events.add(new Event(clock.instant(), role, action, p.path("severity").asText(""), dedup,
        p.path("summary").asText("")));
  }

  private void violation(String what) {
    synchronized (this) {
      if (violations.size() < MAX_VIOLATIONS) {
        violations.add(what);
      }
    }
  }

  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  synchronized List<String> violations() {
    List<String> out = new ArrayList<>(violations);
    if (dropped > 0) {
      out.add(dropped + " events beyond the first " + MAX_EVENTS + " not kept");
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
