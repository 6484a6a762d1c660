package dev.tandem.controller.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.controller.ObservedVerdict;
import dev.tandem.controller.ObserverReading;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Talks to one Tandem observer's verdict API (CONTRACTS.md section 4): reads a domain's verdict,
 * and reports a switch with {@code PUT /api/v1/verdicts/{domain}/active}. Never fails a read: an
 * unreachable observer or an unparsable answer is a reading with a problem (UNKNOWN).
 *
 * <p>Bounded: every call has a hard deadline (the whole answer within the timeout, however slowly
 * the bytes come); an answer over {@link #MAX_BODY_BYTES} is cut off and the reading is a problem.
 */
final class ObserverClient {
  static final int MAX_BODY_BYTES = 256 * 1024;

  private final ControllerConfig.Observer observer;
  private final HttpClient client;
  private final Duration timeout;
  private final ObjectMapper json = new ObjectMapper();
  private final Vertx vertx;

  ObserverClient(Vertx vertx, ControllerConfig.Observer observer, Duration timeout) {
    this.vertx = vertx;
    this.observer = observer;
    this.timeout = timeout;
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())),
        new PoolOptions().setHttp1MaxSize(4));
  }

  String id() {
    return observer.id();
  }

  /** The observer's current verdict for {@code domain}, or why there is none. */
  Future<ObserverReading> read(String domain) {
    return call(HttpMethod.GET, "/api/v1/verdicts/" + encode(domain), null)
        .map(answer -> {
          if (answer.status != 200) {
            return ObserverReading.failed(observer.id(), "HTTP " + answer.status + " from " + observer.url());
          }
          try {
            return ObserverReading.of(observer.id(), parse(json.readTree(answer.body.getBytes())));
          } catch (Exception e) {
            return ObserverReading.failed(observer.id(), "unparsable verdict: " + e.getMessage());
          }
        })
        .otherwise(e -> ObserverReading.failed(observer.id(),
            (e instanceof DeadlineExceeded ? "" : "unreachable: ") + message(e)));
  }

  /**
   * Reports that {@code domain} is now served by {@code cloud}, {@code by} this controller (the
   * observer remembers it and writes it to its observation log); fails with the observer's answer.
   */
  Future<Void> reportActive(String domain, String cloud, String by) {
    Buffer body = Buffer.buffer(json.createObjectNode().put("cloud", cloud).put("by", by).toString());
    return call(HttpMethod.PUT, "/api/v1/verdicts/" + encode(domain) + "/active", body).compose(answer ->
        answer.status == 200 ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture(new ReportRefused(answer.status, clip(answer.body.toString()))));
  }

  /** An observer answered a report with an error status; 4xx other than 429 is not worth retrying. */
  static final class ReportRefused extends RuntimeException {
    final int status;

    ReportRefused(int status, String body) {
      super("HTTP " + status + ": " + body, null, false, false);
      this.status = status;
    }

    boolean retryable() {
      return status == 429 || status >= 500;
    }
  }

  Future<Void> close() {
    return client.close();
  }

  private record Answer(int status, Buffer body) {}

  /**
   * One request with a hard deadline: the whole answer within {@link #timeout}, or the request is
   * reset and the call fails. The request's own timeout is only an idle timeout, which an
   * observer trickling a byte now and then never trips; without the deadline one such observer
   * would hold every poll round (and so every domain) forever.
   */
  private Future<Answer> call(HttpMethod method, String path, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(observer.url() + path)
        .setTimeout(timeout.toMillis());
    observer.token().ifPresent(t -> options.putHeader("Authorization", "Bearer " + t.reveal()));
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    Promise<Answer> done = Promise.promise();
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    long deadline = vertx.setTimer(timeout.toMillis(), id -> {
      if (done.tryFail(new DeadlineExceeded(timeout))) {
        HttpClientRequest req = sent.get();
        if (req != null) {
          req.reset(); // frees the connection; the observer's late bytes are not read
        }
      }
    });
    client.request(options)
        .compose(req -> {
          sent.set(req);
          return body == null ? req.send() : req.send(body);
        })
        .compose(resp -> capped(resp).map(b -> new Answer(resp.statusCode(), b)))
        .onComplete(ar -> {
          vertx.cancelTimer(deadline);
          if (ar.succeeded()) {
            done.tryComplete(ar.result());
          } else {
            done.tryFail(ar.cause());
          }
        });
    return done.future();
  }

  /** The observer did not give a complete answer within the timeout. */
  static final class DeadlineExceeded extends RuntimeException {
    DeadlineExceeded(Duration timeout) {
      super("no complete answer within " + timeout.toMillis() + " ms", null, false, false);
    }
  }

  private static Future<Buffer> capped(HttpClientResponse resp) {
    Promise<Buffer> done = Promise.promise();
    Buffer all = Buffer.buffer();
    resp.handler(chunk -> {
      if (all.length() + chunk.length() > MAX_BODY_BYTES) {
        done.tryFail("answer larger than " + MAX_BODY_BYTES + " bytes");
        resp.request().reset();
        return;
      }
      all.appendBuffer(chunk);
    });
    resp.exceptionHandler(done::tryFail);
    resp.endHandler(v -> done.tryComplete(all));
    return done.future();
  }

  static ObservedVerdict parse(JsonNode v) {
    String domain = text(v, "domain");
    String recommendation = text(v, "recommendation");
    Instant generatedAt = Instant.parse(text(v, "generatedAt"));
    Instant validUntil = Instant.parse(text(v, "validUntil"));
    String observerId = v.path("observer").path("id").asText("");
    String active = null;
    String standby = null;
    String activeHealth = null;
    Double lag = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = v.path("clouds").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> cloud = it.next();
      String role = cloud.getValue().path("role").asText("");
      if ("active".equals(role)) {
        active = cloud.getKey();
        activeHealth = cloud.getValue().path("health").asText(null);
      } else if ("standby".equals(role)) {
        standby = cloud.getKey();
        JsonNode l = cloud.getValue().get("replicationLagSeconds");
        lag = l != null && l.isNumber() ? l.asDouble() : null;
      }
    }
    return new ObservedVerdict(observerId.isEmpty() ? "?" : observerId, domain, recommendation, active, standby,
        activeHealth, lag, generatedAt, validUntil, v.path("reason").asText(""));
  }

  private static String text(JsonNode v, String field) {
    JsonNode n = v.get(field);
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException("no '" + field + "'");
    }
    return n.asText();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }

  private static String clip(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
