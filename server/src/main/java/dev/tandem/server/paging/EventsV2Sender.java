package dev.tandem.server.paging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.engine.paging.Routing;
import dev.tandem.server.config.Secret;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox's events to PagerDuty's Events API v2, on one Vert.x context and without
 * blocking it.
 *
 * <ul>
 *   <li>2xx: delivered; the outbox marks it so that a restart does not send it again.
 *   <li>408, 429, 5xx, timeouts and connection errors: retried with exponential backoff and jitter,
 *       never given up (nothing accepted is lost); a {@code Retry-After} is honoured, and a 429
 *       pauses the whole routing key for that long.
 *   <li>401, 403, 404: a configuration error (a revoked or wrong routing key, a proxy that refuses
 *       us, a wrong URL), which no event can fix by itself. The event stays in the outbox and its
 *       routing key is paused and tried again every {@link SenderSettings#configRetry()} (5 min by
 *       default); an error log names the role and the status (never the key), it is counted
 *       ({@code tandem.paging.events.misconfigured}) and reported as {@code misconfigured} so that
 *       the pager can raise an observability page. Any other unexpected status (1xx, 3xx, another
 *       4xx) is treated the same way.
 *   <li>400 (invalid event) is the only final answer: not retried; logged with PagerDuty's
 *       {@code message} and {@code errors}; the outbox marks it failed.
 * </ul>
 *
 * Events with the same dedup key go strictly in order (a resolve never overtakes its trigger);
 * each routing key has its own token bucket. Routing keys are added to the body only on the wire:
 * they are never logged.
 */
public final class EventsV2Sender {
  private static final Logger log = LoggerFactory.getLogger(EventsV2Sender.class);

  /**
   * What became of one attempt: {@code delivered}, {@code rejected} (400, final) or
   * {@code misconfigured} (401, 403, 404 or another unexpected status: kept and retried slowly).
   */
  public record Delivery(PagingOutbox.Entry entry, String outcome, int status, String message) {}

  private final Vertx vertx;
  private final WebClient client;
  private final String url;
  private final Map<Routing, Secret> keys;
  private final PagingOutbox outbox;
  private final SenderSettings settings;
  private final Clock clock;
  private final Random random;
  private final Consumer<Delivery> deliveries;
  private final Counter sent;
  private final Counter retried;
  private final Counter failed;
  private final Map<String, Counter> misconfigured = new HashMap<>();
  private final Map<Routing, Long> configLoggedAt = new EnumMap<>(Routing.class);
  private final ObjectMapper json = new ObjectMapper();
  // Confined to the sender's context:
  private final Map<Long, Attempt> queue = new TreeMap<>();
  private final Map<Routing, TokenBucket> buckets = new EnumMap<>(Routing.class);
  private int inFlight;
  private Context context;
  private long timer = -1;
  private boolean stopped;

  private static final class Attempt {
    final PagingOutbox.Entry entry;
    int tries;
    long notBefore;
    boolean sending;

    Attempt(PagingOutbox.Entry entry) {
      this.entry = entry;
    }
  }

  /**
   * @param keys the routing key per role; {@link Routing#OBSERVABILITY} falls back to the service
   *     key when absent (and then shares its rate limit)
   */
  public EventsV2Sender(Vertx vertx, WebClient client, String url, Map<Routing, Secret> keys, PagingOutbox outbox,
      SenderSettings settings, MeterRegistry registry, Clock clock, Random random, Consumer<Delivery> deliveries) {
    this.vertx = vertx;
    this.client = client;
    this.url = url;
    this.keys = Map.copyOf(keys);
    if (!keys.containsKey(Routing.SERVICE)) {
      throw new IllegalArgumentException("a service routing key is required");
    }
    this.outbox = outbox;
    this.settings = settings;
    this.clock = clock;
    this.random = random;
    this.deliveries = deliveries;
    this.sent = Counter.builder("tandem.paging.events.sent").description("Events PagerDuty accepted (2xx)")
        .register(registry);
    this.retried = Counter.builder("tandem.paging.events.retried")
        .description("Sends answered 429 or 5xx, or that failed in transit, to be retried").register(registry);
    this.failed = Counter.builder("tandem.paging.events.failed")
        .description("Events PagerDuty refused for good (400); not retried").register(registry);
    for (String status : List.of("401", "403", "404", "other")) {
      misconfigured.put(status, Counter.builder("tandem.paging.events.misconfigured")
          .description("Sends refused as a configuration error (401, 403, 404, or another unexpected status);"
              + " the event is kept and retried slowly")
          .tag("status", status).register(registry));
    }
    long now = clock.millis();
    TokenBucket service = new TokenBucket(settings.perMinute(), settings.burst(), now);
    buckets.put(Routing.SERVICE, service);
    buckets.put(Routing.OBSERVABILITY, keys.containsKey(Routing.OBSERVABILITY)
        ? new TokenBucket(settings.perMinute(), settings.burst(), now) : service);
  }

  /** Starts sending, beginning with what the outbox still holds from a previous run. */
  public void start() {
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      outbox.pending().forEach(e -> queue.putIfAbsent(e.seq(), new Attempt(e)));
      timer = vertx.setPeriodic(settings.pumpEvery().toMillis(), id -> pump());
      pump();
    });
  }

  /**
   * Queues an event the outbox has accepted. Any thread. An event already answered is not queued
   * again: {@link #start()} may have picked it up from the outbox and delivered it before this
   * offer ran, and it must not reach PagerDuty twice.
   */
  public void offer(PagingOutbox.Entry entry) {
    context.runOnContext(v -> {
      if (outbox.isPending(entry.seq())) {
        queue.putIfAbsent(entry.seq(), new Attempt(entry));
        pump();
      }
    });
  }

  public void stop() {
    if (context != null) {
      context.runOnContext(v -> {
        stopped = true;
        if (timer >= 0) {
          vertx.cancelTimer(timer);
        }
      });
    }
  }

  private void pump() {
    if (stopped) {
      return;
    }
    long now = clock.millis();
    Set<String> blocked = new HashSet<>();
    Map<Routing, Boolean> exhausted = new HashMap<>();
    for (Attempt a : queue.values()) {
      if (inFlight >= settings.maxInFlight()) {
        return;
      }
      // Only the oldest event of a dedup key may go: order per key.
      if (!blocked.add(a.entry.dedupKey()) || a.sending || a.notBefore > now) {
        continue;
      }
      Routing r = a.entry.routing();
      if (exhausted.containsKey(r)) {
        continue;
      }
      if (!buckets.get(r).tryTake(now)) {
        exhausted.put(r, true);
        continue;
      }
      send(a);
    }
  }

  private void send(Attempt a) {
    a.sending = true;
    a.tries++;
    inFlight++;
    Secret key = keys.getOrDefault(a.entry.routing(), keys.get(Routing.SERVICE));
    ObjectNode body = json.createObjectNode();
    body.put("routing_key", key.reveal());
    a.entry.body().fields().forEachRemaining(f -> {
      if (!f.getKey().equals("routing_key")) {
        body.set(f.getKey(), f.getValue());
      }
    });
    client.postAbs(url).timeout(settings.timeout().toMillis())
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body.toString()))
        .onComplete(ar -> {
          inFlight--;
          a.sending = false;
          if (ar.succeeded()) {
            answered(a, ar.result());
          } else {
            retry(a, -1, "transport: " + ar.cause().getMessage());
          }
          pump();
        });
  }

  private void answered(Attempt a, HttpResponse<Buffer> r) {
    int status = r.statusCode();
    if (status >= 200 && status < 300) {
      queue.remove(a.entry.seq());
      sent.increment();
      configLoggedAt.remove(a.entry.routing());
      outbox.delivered(a.entry.seq());
      deliveries.accept(new Delivery(a.entry, "delivered", status, ""));
      return;
    }
    if (status == 408 || status == 429 || status >= 500) {
      long retryAfter = retryAfterMillis(r.getHeader("Retry-After"));
      if (status == 429 && retryAfter > 0) {
        buckets.get(a.entry.routing()).pauseUntil(clock.millis() + retryAfter);
      }
      retry(a, retryAfter, "HTTP " + status);
      return;
    }
    String message = pagerDutyMessage(r.bodyAsString());
    if (status == 400) {
      queue.remove(a.entry.seq());
      failed.increment();
      outbox.rejected(a.entry.seq(), status);
      log.error("PagerDuty refused {} {} ({}): HTTP {}: {}; not retried", a.entry.action().name().toLowerCase(),
          a.entry.dedupKey(), a.entry.routing(), status, message);
      deliveries.accept(new Delivery(a.entry, "rejected", status, message));
      return;
    }
    misconfiguration(a, status, message);
  }

  /**
   * 401, 403, 404 (or another status PagerDuty never sends): nothing about this event is wrong,
   * the routing key or the way to PagerDuty is. Keep the event, pause its routing key, try again
   * slowly, and say so loudly, without the key.
   */
  private void misconfiguration(Attempt a, int status, String message) {
    String tag = status == 401 || status == 403 || status == 404 ? Integer.toString(status) : "other";
    misconfigured.get(tag).increment();
    long now = clock.millis();
    long retry = settings.configRetry().toMillis();
    a.notBefore = now + retry;
    buckets.get(a.entry.routing()).pauseUntil(now + retry);
    Long logged = configLoggedAt.get(a.entry.routing());
    if (logged == null || now - logged >= retry) {
      configLoggedAt.put(a.entry.routing(), now);
      log.error("PagerDuty answers HTTP {} for the {} routing key ({}): a configuration error (a wrong or revoked"
          + " routing key, a proxy refusing Tandem, or a wrong paging.pagerduty.url); {} {} and the other events"
          + " for this key stay in the outbox and are tried again every {} s", status, a.entry.routing(), message,
          a.entry.action().name().toLowerCase(), a.entry.dedupKey(), retry / 1000);
    }
    deliveries.accept(new Delivery(a.entry, "misconfigured", status, message));
  }

  private void retry(Attempt a, long retryAfterMillis, String why) {
    retried.increment();
    long max = settings.maxBackoff().toMillis();
    long base = Math.min(max, settings.firstBackoff().toMillis() << Math.min(20, a.tries - 1));
    long delay = base / 2 + (long) (random.nextDouble() * (base - base / 2));
    delay = Math.max(delay, Math.min(max, retryAfterMillis));
    a.notBefore = clock.millis() + delay;
    if (a.tries == 1 || a.tries % 10 == 0) {
      log.warn("PagerDuty send of {} {} failed ({}), try {}; retrying in {} ms",
          a.entry.action().name().toLowerCase(), a.entry.dedupKey(), why, a.tries, delay);
    }
  }

  /** {@code Retry-After} as delta-seconds or an HTTP date; -1 when absent or unreadable. */
  long retryAfterMillis(String header) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    try {
      return Math.max(0, Long.parseLong(header.trim()) * 1000);
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, at.toInstant().toEpochMilli() - clock.millis());
      } catch (RuntimeException e2) {
        return -1;
      }
    }
  }

  /** PagerDuty's {@code message} and {@code errors}, bounded; never the request. */
  private String pagerDutyMessage(String body) {
    if (body == null || body.isBlank()) {
      return "(no body)";
    }
    try {
      JsonNode n = json.readTree(body);
      String m = n.path("message").asText("");
      JsonNode errors = n.path("errors");
      String s = m + (errors.isMissingNode() || errors.isNull() ? "" : " " + errors);
      return cut(s.isBlank() ? body : s);
    } catch (java.io.IOException | RuntimeException e) {
      return cut(body);
    }
  }

  private String cut(String s) {
    String redacted = s;
    for (Secret k : keys.values()) {
      redacted = redacted.replace(k.reveal(), "****");
    }
    return redacted.length() <= 500 ? redacted : redacted.substring(0, 500) + "...";
  }
}
