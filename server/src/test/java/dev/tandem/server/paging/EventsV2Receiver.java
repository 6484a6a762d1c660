package dev.tandem.server.paging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A local PagerDuty Events API v2 endpoint for tests: checks every event against the rules
 * (required fields, lengths, severities, a resolve only for an open incident with the same dedup
 * and routing key, no second trigger while open) and answers 202, or what a test scripted (429
 * with {@code Retry-After}, 500, 400), or a refusal of one routing key (401, 403, 404: a revoked
 * key, or a proxy in the way).
 */
public final class EventsV2Receiver implements AutoCloseable {
  private static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

  /** One request as received, with when it came. */
  public record Received(long atMillis, JsonNode body, int answered) {}

  private final Vertx vertx;
  private final ObjectMapper json = new ObjectMapper();
  private final List<Received> received = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final Set<String> open = new HashSet<>();
  private final Deque<int[]> script = new ArrayDeque<>();
  private final Map<String, Integer> refusedKeys = new HashMap<>();
  private HttpServer server;
  private int port;

  public EventsV2Receiver(Vertx vertx) {
    this.vertx = vertx;
  }

  public EventsV2Receiver start(int wantedPort) throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(buf -> {
      int status;
      JsonNode body;
      synchronized (this) {
        try {
          body = json.readTree(buf.toString());
        } catch (Exception e) {
          body = json.createObjectNode();
          violations.add("not JSON: " + buf);
        }
        Integer keyRefused = refusedKeys.get(body.path("routing_key").asText(""));
        int[] next = keyRefused != null ? new int[] {keyRefused, -1} : script.poll();
        status = next == null ? 202 : next[0];
        int retryAfter = next == null ? -1 : next[1];
        received.add(new Received(System.currentTimeMillis(), body, status));
        if (status == 202) {
          check(body);
        }
        if (retryAfter >= 0) {
          req.response().putHeader("Retry-After", Integer.toString(retryAfter));
        }
      }
      String answer = status == 401 || status == 403 || status == 404 ? "{\"status\":\"invalid routing key\"}"
          : status == 202
          ? "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"" + body.path("dedup_key").asText() + "\"}"
          : status == 400 ? "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[\"'payload.summary' is missing\"]}"
          : "{\"status\":\"throttled\",\"message\":\"Requests for this service are arriving too quickly\"}";
      req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(answer);
    })).listen(wantedPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    port = server.actualPort();
    return this;
  }

  private void check(JsonNode b) {
    String key = b.path("routing_key").asText("");
    String action = b.path("event_action").asText("");
    String dedup = b.path("dedup_key").asText("");
    if (key.isEmpty()) {
      violations.add("no routing_key");
    }
    if (dedup.isEmpty() || dedup.length() > 255) {
      violations.add("bad dedup_key: " + dedup);
    }
    String incident = key + " " + dedup;
    if (action.equals("trigger")) {
      JsonNode p = b.path("payload");
      String summary = p.path("summary").asText("");
      if (summary.isEmpty() || summary.length() > 1024) {
        violations.add("bad summary length " + summary.length() + " for " + dedup);
      }
      if (p.path("source").asText("").isEmpty()) {
        violations.add("no source for " + dedup);
      }
      if (!SEVERITIES.contains(p.path("severity").asText(""))) {
        violations.add("bad severity " + p.path("severity") + " for " + dedup);
      }
      if (!open.add(incident)) {
        violations.add("second trigger while open: " + dedup);
      }
    } else if (action.equals("resolve")) {
      if (!open.remove(incident)) {
        violations.add("resolve without an open trigger with the same dedup and routing key: " + dedup);
      }
    } else {
      violations.add("bad event_action: " + action);
    }
  }

  /** The next requests get these answers, in order: status, Retry-After seconds (-1: none). */
  public synchronized EventsV2Receiver answer(int status, int retryAfterSeconds) {
    script.add(new int[] {status, retryAfterSeconds});
    return this;
  }

  /** Every request with this routing key gets {@code status} (401, 403, 404) until {@link #acceptKey}. */
  public synchronized EventsV2Receiver refuseKey(String routingKey, int status) {
    refusedKeys.put(routingKey, status);
    return this;
  }

  public synchronized EventsV2Receiver acceptKey(String routingKey) {
    refusedKeys.remove(routingKey);
    return this;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/v2/enqueue";
  }

  public synchronized List<Received> received() {
    return List.copyOf(received);
  }

  /** Bodies PagerDuty accepted (202). */
  public synchronized List<JsonNode> accepted() {
    return received.stream().filter(r -> r.answered() == 202).map(Received::body).toList();
  }

  public synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  public synchronized Set<String> openIncidents() {
    return Set.copyOf(open);
  }

  @Override
  public void close() throws Exception {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
