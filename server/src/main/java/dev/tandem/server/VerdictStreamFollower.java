package dev.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.api.ApiChanges;
import dev.tandem.server.config.Secret;
import dev.tandem.server.storage.Backoff;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a probes-only process on the active cloud: it reads an observer's verdict stream
 * ({@code GET /api/v1/verdicts/stream}) and, when a verdict names another active cloud for one of
 * its domains than the process has, takes it as a reported switch ({@code by}
 * {@code follow:<observer id>}: remembered, in the recording, and the probes' roles follow). The
 * stream sends the current verdicts on connect, so a process that was down or cut off during a
 * switch catches up as soon as it reconnects.
 *
 * <p>Never stops trying: a refused connection, an error status, a stream that ends or goes silent
 * for {@link #IDLE} (the observer writes a comment every 15 s) is retried with backoff (1 s doubling
 * to 30 s). {@link #problem()} says why while it is not connected, for {@code /readyz}. Bounded: one
 * connection, lines of at most {@link #MAX_LINE} bytes (a longer one drops the connection).
 */
final class VerdictStreamFollower {
  private static final Logger log = LoggerFactory.getLogger(VerdictStreamFollower.class);
  static final Duration IDLE = Duration.ofSeconds(45);
  static final int MAX_LINE = 256 * 1024;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:@/+-]{1,100}");

  private final Vertx vertx;
  private final String url;
  private final Optional<Secret> token;
  private final ApiChanges changes;
  private final Set<String> domains;
  private final Clock clock;
  private final HttpClient client;
  private final io.vertx.core.Context context;
  private final ObjectMapper json = new ObjectMapper();
  private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30),
      () -> ThreadLocalRandom.current().nextDouble());
  private final AtomicLong verdicts = new AtomicLong();
  private final AtomicLong switches = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private volatile boolean stopped;
  private volatile boolean connected;
  private volatile String problem;
  private volatile Instant disconnectedSince;
  private HttpClientRequest current;
  private long retryTimer = -1;
  private int failures;
  /** The event being read: its name and data lines (SSE). */
  private String event;
  private final StringBuilder data = new StringBuilder();

  VerdictStreamFollower(Vertx vertx, String url, Optional<Secret> token, ApiChanges changes, Set<String> domains,
      Clock clock) {
    this.vertx = vertx;
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.token = token;
    this.changes = changes;
    this.domains = Set.copyOf(domains);
    this.clock = clock;
    this.context = vertx.getOrCreateContext();
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000),
        new PoolOptions().setHttp1MaxSize(1));
    this.disconnectedSince = clock.instant();
    this.problem = "following " + this.url + ": not connected yet";
  }

  void start() {
    context.runOnContext(v -> connect());
  }

  /** Verdict events read, switches taken from them, and reconnections, since start. */
  long verdicts() {
    return verdicts.get();
  }

  long switches() {
    return switches.get();
  }

  long reconnects() {
    return reconnects.get();
  }

  boolean connected() {
    return connected;
  }

  /** Why the stream is not followed now, or empty while it is. */
  Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  private void connect() {
    if (stopped) {
      return;
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setAbsoluteURI(url + "/api/v1/verdicts/stream").setIdleTimeout(IDLE.toMillis())
        .putHeader("Accept", "text/event-stream");
    token.ifPresent(t -> options.putHeader("Authorization", "Bearer " + t.reveal()));
    client.request(options)
        .compose(req -> {
          current = req;
          return req.send();
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            retry(message(ar.cause()));
          } else {
            read(ar.result());
          }
        });
  }

  private void read(HttpClientResponse resp) {
    if (resp.statusCode() != 200) {
      int status = resp.statusCode();
      resp.request().reset(); // the body of an error is not read: it could be anything, of any size
      retry("HTTP " + status + (status == 401 || status == 403 ? " (check synthetics.follow.token: a read token"
          + " of the observer)" : ""));
      return;
    }
    boolean recovered = failures > 0;
    failures = 0;
    connected = true;
    problem = null;
    disconnectedSince = null;
    log.info("following the verdict stream of {}{}", url, recovered ? " again" : "");
    event = null;
    data.setLength(0);
    RecordParser lines = RecordParser.newDelimited("\n", this::line).maxRecordSize(MAX_LINE);
    lines.exceptionHandler(e -> {
      resp.request().reset();
      retry(message(e));
    });
    resp.handler(lines);
    resp.exceptionHandler(e -> retry(message(e)));
    resp.endHandler(v -> retry("the stream ended"));
  }

  /** One line of the event stream (text/event-stream): fields, comments, and the blank line ending an event. */
  private void line(Buffer buffer) {
    String l = buffer.toString(StandardCharsets.UTF_8);
    if (l.endsWith("\r")) {
      l = l.substring(0, l.length() - 1);
    }
    if (l.isEmpty()) {
      if ("verdict".equals(event) && data.length() > 0) {
        verdict(data.toString());
      }
      event = null;
      data.setLength(0);
    } else if (l.startsWith("event:")) {
      event = l.substring(6).trim();
    } else if (l.startsWith("data:")) {
      if (data.length() + l.length() > MAX_LINE) {
        data.setLength(0); // an event larger than any verdict: not one
        event = null;
      } else {
        data.append(data.length() > 0 ? "\n" : "").append(l.substring(l.startsWith("data: ") ? 6 : 5));
      }
    }
  }

  private void verdict(String body) {
    verdicts.incrementAndGet();
    JsonNode v;
    try {
      v = json.readTree(body);
    } catch (Exception e) {
      log.warn("verdict stream of {}: an event that is not JSON, ignored", url);
      return;
    }
    String domain = v.path("domain").asText("");
    if (!domains.contains(domain)) {
      return;
    }
    String active = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = v.path("clouds").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> cloud = it.next();
      if ("active".equals(cloud.getValue().path("role").asText())) {
        active = cloud.getKey();
      }
    }
    Optional<ApiChanges.Active> mine = changes.active(domain);
    if (active == null || mine.isEmpty() || active.equals(mine.get().cloud())) {
      return;
    }
    String observer = v.path("observer").path("id").asText("");
    String by = "follow:" + (NAME.matcher(observer).matches() ? observer : "observer");
    try {
      changes.reportActive(domain, active, by);
      switches.incrementAndGet();
      log.info("{}: {} names {} active (was {}): probes follow it", domain, by, active, mine.get().cloud());
    } catch (IllegalArgumentException e) {
      log.warn("{}: the verdict stream of {} names {} active, which this configuration does not allow: {}", domain,
          url, active, e.getMessage());
    }
  }

  private void retry(String why) {
    if (stopped) {
      return;
    }
    if (current != null) {
      current.reset();
      current = null;
    }
    if (retryTimer >= 0) {
      return; // one retry at a time (a failed stream may report its end and an error)
    }
    connected = false;
    failures++;
    reconnects.incrementAndGet();
    if (disconnectedSince == null) {
      disconnectedSince = clock.instant();
    }
    problem = "following " + url + ": not connected since " + disconnectedSince + " (" + why + "); retrying";
    if (failures == 1 || Integer.bitCount(failures) == 1) {
      log.warn("verdict stream of {}: {} ({} failed attempts); probes keep the active cloud they know", url, why,
          failures);
    }
    retryTimer = vertx.setTimer(Math.max(1, backoff.delayNanos(failures) / 1_000_000), id -> {
      retryTimer = -1;
      connect();
    });
  }

  void stop() {
    stopped = true;
    context.runOnContext(v -> {
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
      }
      if (current != null) {
        current.reset();
      }
      client.close();
    });
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
