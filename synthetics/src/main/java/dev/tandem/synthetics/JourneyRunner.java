package dev.tandem.synthetics;

import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.ProbeObservation;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one journey once, from one vantage, against one cloud, and reports each step that ran as a
 * {@link ProbeObservation}.
 *
 * <ul>
 *   <li>Every request carries {@code X-Tandem-Vantage}, {@code X-Tandem-Journey},
 *       {@code X-Tandem-Synthetic: true} and a W3C {@code traceparent}: one trace per run (its id
 *       is the run's id), one span per step under a run span. With a no-op OpenTelemetry the ids
 *       are still generated, so the platform's own traces can be matched to probe runs.
 *   <li>Each step span (CLIENT) carries {@code tandem.run}, {@code tandem.journey},
 *       {@code tandem.step}, {@code tandem.cloud}, {@code tandem.vantage}, {@code tandem.ok},
 *       {@code tandem.latency_ms}, {@code tandem.attempts}, {@code tandem.error} (failures only),
 *       {@code tandem.critical} ({@code false} on non-critical steps only),
 *       {@code http.request.method} and {@code http.response.status_code}: enough for a collector
 *       to rebuild the observation from OTLP alone (see {@link ProbeTelemetry}). Its start is the
 *       observation's {@code ts}. Each observation also goes to the local sink.
 *   <li>After a failed critical step the remaining steps are skipped and not reported, except
 *       {@code always} steps. A non-critical failure does not fail the run.
 *   <li>Only transport failures before any response (refused, reset, timeout) are retried, at
 *       most {@link ProbeSettings#retries()} times with a doubling backoff on a Vert.x timer; a
 *       status or an assertion is an answer and never retried. An observation's latency is its
 *       last try's.
 *   <li>Nothing here blocks: timeouts are the client's request timeouts, waits are timers.
 * </ul>
 */
public final class JourneyRunner {
  private static final Logger log = LoggerFactory.getLogger(JourneyRunner.class);
  static final String INSTRUMENTATION_SCOPE = "dev.tandem.synthetics";
  /** Bodies are buffered to check them; a larger body fails the step rather than grow memory. */
  static final int MAX_BODY_BYTES = 1024 * 1024;

  static final AttributeKey<String> JOURNEY = AttributeKey.stringKey("tandem.journey");
  static final AttributeKey<String> STEP = AttributeKey.stringKey("tandem.step");
  static final AttributeKey<String> VANTAGE = AttributeKey.stringKey("tandem.vantage");
  static final AttributeKey<String> CLOUD = AttributeKey.stringKey("tandem.cloud");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("tandem.attempts");
  static final AttributeKey<String> RUN = AttributeKey.stringKey("tandem.run");
  static final AttributeKey<Boolean> OK = AttributeKey.booleanKey("tandem.ok");
  static final AttributeKey<Long> LATENCY_MS = AttributeKey.longKey("tandem.latency_ms");
  static final AttributeKey<String> ERROR = AttributeKey.stringKey("tandem.error");
  /** Set (false) on steps whose failure does not fail the run: the judge counts runs by it. */
  static final AttributeKey<Boolean> CRITICAL = AttributeKey.booleanKey("tandem.critical");
  static final AttributeKey<String> VANTAGE_PROVIDER = AttributeKey.stringKey("tandem.vantage.provider");
  static final AttributeKey<String> VANTAGE_REGION = AttributeKey.stringKey("tandem.vantage.region");

  public static final String HEADER_VANTAGE = "X-Tandem-Vantage";
  public static final String HEADER_JOURNEY = "X-Tandem-Journey";
  public static final String HEADER_SYNTHETIC = "X-Tandem-Synthetic";

  private static final TextMapSetter<MultiMap> SETTER = (carrier, key, value) -> {
    if (carrier != null) {
      carrier.set(key, value);
    }
  };

  private final Vertx vertx;
  private final WebClient client;
  private final ObservationSink sink;
  private final Clock clock;
  private final Tracer tracer;
  private final ProbeSettings settings;
  private final Function<String, String> env;
  private final Supplier<UUID> uuids;
  private final IdGenerator ids = IdGenerator.random();

  private JourneyRunner(Builder b) {
    this.vertx = b.vertx;
    this.client = b.client;
    this.sink = b.sink;
    this.clock = b.clock;
    this.tracer = b.openTelemetry.getTracer(INSTRUMENTATION_SCOPE);
    this.settings = b.settings;
    this.env = b.env;
    this.uuids = b.uuids;
  }

  /** A runner with the system UTC clock, no-op tracing, {@link ProbeSettings#defaults()} and the process environment. */
  public static Builder builder(Vertx vertx, WebClient client, ObservationSink sink) {
    return new Builder(vertx, client, sink);
  }

  public ProbeSettings settings() {
    return settings;
  }

  /**
   * Runs {@code journey} once. The future always succeeds (a failed step is a result, not an
   * error); its steps have already been handed to the sink when it completes.
   */
  public Future<RunResult> run(Journey journey, Target target, Vantage vantage) {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    // Span times come from the runner's clock, so a step span starts exactly at its observation's
    // ts: whoever turns spans back into observations gets the same ts as the local sink.
    Span runSpan = tracer.spanBuilder("journey " + journey.name())
        .setNoParent()
        .setStartTimestamp(started)
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute(JOURNEY, journey.name())
        .setAttribute(VANTAGE, vantage.id())
        .setAttribute(CLOUD, target.cloud())
        .startSpan();
    SpanContext runContext = runSpan.getSpanContext();
    if (!runContext.isValid()) {
      // No tracing SDK: still one trace id per run, so that requests can be correlated.
      runContext = SpanContext.create(ids.generateTraceId(), ids.generateSpanId(),
          TraceFlags.getSampled(), TraceState.getDefault());
    }
    RunState run = new RunState(journey, target, vantage, runSpan, runContext);
    Future<Void> chain = Future.succeededFuture();
    for (Step step : journey.steps()) {
      chain = chain.compose(v -> runStep(run, step));
    }
    return chain.transform(ar -> {
      if (ar.failed()) {
        // A bug, not a probe failure: say so loudly, and do not pretend the run passed.
        log.error("journey {} from {} against {} stopped unexpectedly", journey.name(),
            vantage.id(), target.cloud(), ar.cause());
        run.failed = true;
      }
      long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      if (run.failed) {
        runSpan.setStatus(StatusCode.ERROR, "critical step failed");
      }
      runSpan.end(started.plusNanos(System.nanoTime() - t0));
      return Future.succeededFuture(new RunResult(run.id, journey.name(), target.cloud(),
          vantage.id(), started, durationMs, !run.failed, run.observations, run.skipped));
    });
  }

  private Future<Void> runStep(RunState run, Step step) {
    if (run.failed && !step.always()) {
      run.skipped.add(step.name());
      return Future.succeededFuture();
    }
    Instant ts = clock.instant();
    long t0 = System.nanoTime();
    Rendered request;
    try {
      request = render(run, step);
    } catch (Template.MissingValueException e) {
      if (!e.environment()) {
        // Only an always step after a failure gets here (the parser checks the order): the
        // variable it needs was never extracted, so there is nothing for it to act on.
        run.skipped.add(step.name());
        return Future.succeededFuture();
      }
      // Not sent, but reported like any failed step, over every path.
      record(run, step, ts, StepOutcome.failed("template: " + e.getMessage(), 0, 1, -1),
          startStepSpan(run, step, ts), t0);
      return Future.succeededFuture();
    }
    Span span = startStepSpan(run, step, ts);
    SpanContext stepContext = span.getSpanContext();
    if (!stepContext.isValid() || stepContext.getSpanId().equals(run.context.getSpanId())) {
      stepContext = SpanContext.create(run.context.getTraceId(), ids.generateSpanId(),
          run.context.getTraceFlags(), run.context.getTraceState());
    }
    W3CTraceContextPropagator.getInstance()
        .inject(Context.root().with(Span.wrap(stepContext)), request.headers, SETTER);
    long timeoutMs = step.timeoutMs() > 0 ? step.timeoutMs() : settings.timeout().toMillis();
    return attempt(request, timeoutMs, 1)
        .map(tried -> check(run, step, tried, timeoutMs))
        .otherwise(error -> {
          log.warn("step {} of {}: unexpected error", step.name(), run.journey.name(), error);
          return StepOutcome.failed("internal error: " + error, 0, 1, -1);
        })
        .map(outcome -> {
          record(run, step, ts, outcome, span, t0);
          return null;
        });
  }

  /** The step's CLIENT span, with every attribute that lets a collector rebuild the observation. */
  private Span startStepSpan(RunState run, Step step, Instant ts) {
    return tracer.spanBuilder(step.name())
        .setParent(Context.root().with(run.span))
        .setStartTimestamp(ts)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(RUN, run.id)
        .setAttribute(JOURNEY, run.journey.name())
        .setAttribute(STEP, step.name())
        .setAttribute(VANTAGE, run.vantage.id())
        .setAttribute(CLOUD, run.target.cloud())
        .setAttribute(HTTP_METHOD, step.request().method())
        .setAttribute(VANTAGE_PROVIDER, run.vantage.provider())
        .setAttribute(VANTAGE_REGION, run.vantage.region()) // null: not set
        .startSpan();
  }

  private void record(RunState run, Step step, Instant ts, StepOutcome outcome, Span span, long t0) {
    ProbeObservation observation = new ProbeObservation(ts, run.id, run.journey.name(),
        step.name(), run.target.cloud(), run.vantage.id(), outcome.ok(), outcome.latencyMs(),
        outcome.error(), outcome.attempts(), step.critical());
    run.observations.add(observation);
    if (!step.critical()) {
      span.setAttribute(CRITICAL, false);
    }
    if (!outcome.ok() && step.critical()) {
      run.failed = true;
    }
    if (outcome.status() > 0) {
      span.setAttribute(HTTP_STATUS, (long) outcome.status());
    }
    span.setAttribute(OK, outcome.ok());
    span.setAttribute(LATENCY_MS, outcome.latencyMs());
    span.setAttribute(ATTEMPTS, (long) outcome.attempts());
    if (!outcome.ok()) {
      span.setAttribute(ERROR, outcome.error());
      span.setStatus(StatusCode.ERROR, outcome.error());
    }
    span.end(ts.plusNanos(System.nanoTime() - t0));
    try {
      sink.accept(observation);
    } catch (RuntimeException e) {
      log.warn("observation sink threw; the observation of step {} is lost", step.name(), e);
    }
  }

  private Future<Attempt> attempt(Rendered request, long timeoutMs, int n) {
    long t0 = System.nanoTime();
    Future<HttpResponse<Buffer>> sent;
    try {
      HttpRequest<Buffer> http = client.requestAbs(request.method, request.url)
          .timeout(timeoutMs)
          .connectTimeout(timeoutMs)
          .putHeaders(request.headers);
      request.query.forEach(http::addQueryParam);
      sent = request.body == null ? http.send() : http.sendBuffer(request.body);
    } catch (RuntimeException e) {
      sent = Future.failedFuture(e);
    }
    return sent.transform(ar -> {
      long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      if (ar.succeeded()) {
        return Future.succeededFuture(new Attempt(ar.result(), null, latencyMs, n));
      }
      if (n <= settings.retries() && TransportFailure.retryable(ar.cause())) {
        long backoff = settings.retryBackoff().toMillis() << (n - 1);
        Future<Void> pause = backoff > 0 ? vertx.timer(backoff) : Future.succeededFuture();
        return pause.compose(v -> attempt(request, timeoutMs, n + 1));
      }
      return Future.succeededFuture(new Attempt(null, ar.cause(), latencyMs, n));
    });
  }

  private StepOutcome check(RunState run, Step step, Attempt tried, long timeoutMs) {
    if (tried.error() != null) {
      return StepOutcome.failed(TransportFailure.describe(tried.error(), timeoutMs),
          tried.latencyMs(), tried.attempts(), -1);
    }
    HttpResponse<Buffer> response = tried.response();
    int status = response.statusCode();
    StepExpectation expect = step.expect();
    ResponseCheck check = new ResponseCheck(response, status, tried);
    if (!expect.statusMatches(status)) {
      return check.fail("status " + status + ", expected " + expect.describeStatus());
    }
    Buffer body = response.body();
    if (body != null && body.length() > MAX_BODY_BYTES) {
      return check.fail("response body over " + MAX_BODY_BYTES + " bytes");
    }
    for (Map.Entry<String, String> header : expect.headers().entrySet()) {
      String actual = response.getHeader(header.getKey());
      if (actual == null) {
        return check.fail("header " + header.getKey() + " missing, expected " + header.getValue());
      }
      if (!actual.equals(header.getValue())) {
        return check.fail("header " + header.getKey() + " expected " + header.getValue()
            + " got " + actual);
      }
    }
    if (expect.bodyContains() != null
        && (body == null || !body.toString(StandardCharsets.UTF_8).contains(expect.bodyContains()))) {
      return check.fail("body does not contain '" + expect.bodyContains() + "'");
    }
    for (Map.Entry<JsonPath, String> expected : expect.jsonPath().entrySet()) {
      Object document = check.json(expected.getKey());
      if (document == ResponseCheck.NOT_JSON) {
        return check.fail(check.jsonError);
      }
      Object actual = expected.getKey().read(document).orElse(null);
      if (actual == null) {
        return check.fail(expected.getKey() + " expected " + expected.getValue() + ", not in body");
      }
      if (!JsonPath.matches(expected.getValue(), actual)) {
        return check.fail(expected.getKey() + " expected " + expected.getValue() + " got "
            + JsonPath.text(actual));
      }
    }
    if (expect.maxLatencyMs() > 0 && tried.latencyMs() > expect.maxLatencyMs()) {
      return check.fail("latency " + tried.latencyMs() + " ms over " + expect.maxLatencyMs() + " ms");
    }
    Map<String, String> extracted = new HashMap<>();
    for (Map.Entry<String, Extraction> e : step.extract().entrySet()) {
      Extraction from = e.getValue();
      String value;
      if (from.header() != null) {
        value = response.getHeader(from.header());
        if (value == null) {
          return check.fail("extract " + e.getKey() + ": header " + from.header() + " missing");
        }
      } else {
        Object document = check.json(from.jsonPath());
        if (document == ResponseCheck.NOT_JSON) {
          return check.fail("extract " + e.getKey() + ": " + check.jsonError);
        }
        Object found = from.jsonPath().read(document).orElse(null);
        if (found == null || found == JsonPath.NULL) {
          return check.fail("extract " + e.getKey() + ": " + from.jsonPath() + " not in body");
        }
        value = JsonPath.text(found);
      }
      extracted.put(e.getKey(), value);
    }
    run.vars.putAll(extracted);
    return new StepOutcome(true, null, tried.latencyMs(), tried.attempts(), status);
  }

  private Rendered render(RunState run, Step step) {
    StepRequest r = step.request();
    Template.Bindings bindings = new Template.Bindings(run.vars, env, clock, uuids);
    String path = Template.parse(r.path()).render(bindings, JourneyRunner::encodePathValue);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    r.headers().forEach((name, value) -> headers.set(name, Template.parse(value).render(bindings)));
    Map<String, String> query = new LinkedHashMap<>();
    r.query().forEach((name, value) -> query.put(name, Template.parse(value).render(bindings)));
    Buffer body = null;
    if (r.json() != null) {
      Object json = renderJson(r.json(), bindings);
      body = json instanceof Map<?, ?> || json instanceof List<?>
          ? Buffer.buffer(Json.encode(wrap(json))) : Json.encodeToBuffer(json);
      if (!headers.contains("Content-Type")) {
        headers.set("Content-Type", "application/json");
      }
    } else if (r.body() != null) {
      body = Buffer.buffer(Template.parse(r.body()).render(bindings), "UTF-8");
    }
    headers.set(HEADER_VANTAGE, run.vantage.id());
    headers.set(HEADER_JOURNEY, run.journey.name());
    headers.set(HEADER_SYNTHETIC, "true");
    return new Rendered(HttpMethod.valueOf(r.method()), run.target.url(path), headers, query, body);
  }

  @SuppressWarnings("unchecked")
  private static Object wrap(Object json) {
    if (json instanceof Map<?, ?> m) {
      return new JsonObject((Map<String, Object>) m);
    }
    return new JsonArray((List<Object>) json);
  }

  private static Object renderJson(Object json, Template.Bindings bindings) {
    if (json instanceof String s) {
      return Template.hasPlaceholders(s) ? Template.parse(s).render(bindings) : s;
    }
    if (json instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), renderJson(v, bindings)));
      return out;
    }
    if (json instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(renderJson(v, bindings)));
      return out;
    }
    return json;
  }

  /** A substituted value must stay inside its path segment: an id with '/' or '?' is escaped. */
  static String encodePathValue(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static final class RunState {
    final Journey journey;
    final Target target;
    final Vantage vantage;
    final Span span;
    final SpanContext context;
    final String id;
    final Map<String, String> vars = new HashMap<>();
    final List<ProbeObservation> observations = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();
    boolean failed;

    RunState(Journey journey, Target target, Vantage vantage, Span span, SpanContext context) {
      this.journey = journey;
      this.target = target;
      this.vantage = vantage;
      this.span = span;
      this.context = context;
      this.id = context.getTraceId();
    }
  }

  private record Rendered(HttpMethod method, String url, MultiMap headers,
      Map<String, String> query, Buffer body) {}

  private record Attempt(HttpResponse<Buffer> response, Throwable error, long latencyMs, int attempts) {}

  record StepOutcome(boolean ok, String error, long latencyMs, int attempts, int status) {
    static StepOutcome failed(String error, long latencyMs, int attempts, int status) {
      return new StepOutcome(false, error, latencyMs, attempts, status);
    }
  }

  /** Decodes the body at most once, and only when a check needs JSON. */
  private static final class ResponseCheck {
    static final Object NOT_JSON = new Object();
    private final HttpResponse<Buffer> response;
    private final int status;
    private final Attempt tried;
    private Object document;
    String jsonError;

    ResponseCheck(HttpResponse<Buffer> response, int status, Attempt tried) {
      this.response = response;
      this.status = status;
      this.tried = tried;
    }

    Object json(JsonPath forPath) {
      if (document == null) {
        Buffer body = response.body();
        if (body == null || body.length() == 0) {
          jsonError = "body is empty, expected JSON for " + forPath;
          document = NOT_JSON;
        } else {
          try {
            Object decoded = Json.decodeValue(body);
            document = decoded == null ? JsonPath.NULL : decoded;
          } catch (DecodeException e) {
            jsonError = "body is not JSON, expected JSON for " + forPath;
            document = NOT_JSON;
          }
        }
      }
      return document;
    }

    StepOutcome fail(String error) {
      return StepOutcome.failed(error, tried.latencyMs(), tried.attempts(), status);
    }
  }

  /** Builds a {@link JourneyRunner}; fails fast on missing parts. */
  public static final class Builder {
    private final Vertx vertx;
    private final WebClient client;
    private final ObservationSink sink;
    private Clock clock = Clock.systemUTC();
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private ProbeSettings settings = ProbeSettings.defaults();
    private Function<String, String> env = System::getenv;
    private Supplier<UUID> uuids = UUID::randomUUID;

    private Builder(Vertx vertx, WebClient client, ObservationSink sink) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
      this.client = Objects.requireNonNull(client, "client");
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** Where run and step spans go, for example an SDK exporting over OTLP. Default: no-op. */
    public Builder openTelemetry(OpenTelemetry value) {
      this.openTelemetry = Objects.requireNonNull(value, "openTelemetry");
      return this;
    }

    public Builder settings(ProbeSettings value) {
      this.settings = Objects.requireNonNull(value, "settings");
      return this;
    }

    /** Where {@code {{env:NAME}}} reads from. Default: the process environment. */
    public Builder env(Function<String, String> value) {
      this.env = Objects.requireNonNull(value, "env");
      return this;
    }

    /** Where {@code {{uuid}}} comes from. Default: random UUIDs. */
    public Builder uuids(Supplier<UUID> value) {
      this.uuids = Objects.requireNonNull(value, "uuids");
      return this;
    }

    public JourneyRunner build() {
      return new JourneyRunner(this);
    }
  }
}
