package dev.tandem.synthetics;

import dev.tandem.engine.observation.ObservationSink;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The whole synthetics role of one process: a {@link JourneyRunner} and a {@link ProbeScheduler}
 * over the given journeys, vantages and targets, with every run's trace exported over OTLP to
 * each telemetry path ({@link ProbeTelemetry}). This is what a vantage-only production process
 * ({@code run --config} naming its vantage, synthetics role only) runs: the results leave only
 * as OTLP, and the observers' collectors turn the step spans back into probe observations. In
 * the demo the same node can also hand each observation to a local sink.
 *
 * <pre>{@code
 * ProbeNode node = ProbeNode.builder(vertx)
 *     .journeys(journeys).vantages(List.of(new Vantage("ext-1", "third-party", "eu")))
 *     .targets(Map.of("primary", "http://10.0.0.1", "secondary", "http://10.1.0.1"))
 *     .roles(() -> Map.of("primary", "active", "secondary", "standby"))
 *     .otlpEndpoint(new ProbeTelemetry.Endpoint("http://path-a:4318", Map.of("Authorization", "Bearer ...")))
 *     .otlpEndpoint(new ProbeTelemetry.Endpoint("http://path-b:5318"))
 *     .settings(ProbeSettings.ofSeconds(10, 5)).build();
 * node.start();   // later: node.stop() flushes the spans still queued
 * }</pre>
 */
public final class ProbeNode {
  static final AttributeKey<String> VANTAGE_ID = AttributeKey.stringKey("tandem.vantage");
  static final AttributeKey<String> VANTAGE_PROVIDER = AttributeKey.stringKey("tandem.vantage.provider");
  static final AttributeKey<String> VANTAGE_REGION = AttributeKey.stringKey("tandem.vantage.region");
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final WebClient client;
  private final ProbeTelemetry telemetry;
  private final JourneyRunner runner;
  private final ProbeScheduler scheduler;

  private ProbeNode(Builder b) {
    this.vertx = b.vertx;
    this.client = WebClient.create(vertx, new WebClientOptions().setUserAgent("tandem-synthetics")
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, b.settings.timeout().toMillis())),
        new PoolOptions().setHttp1MaxSize(Math.max(5, b.settings.maxInFlight())));
    ObservationSink local = b.sink == null ? observation -> { } : b.sink;
    ProbeTelemetry.Builder tb = ProbeTelemetry.builder()
        .resourceAttributes(resource(b.vantages, b.resourceAttributes));
    b.endpoints.forEach(tb::endpoint);
    this.telemetry = tb.build();
    try {
      this.runner = JourneyRunner.builder(vertx, client, local)
          .clock(b.clock).settings(b.settings).openTelemetry(telemetry.openTelemetry()).build();
      ProbeScheduler.Builder sb = ProbeScheduler.builder(vertx, runner)
          .journeys(b.journeys).vantages(b.vantages).targets(b.targets).roles(b.roles)
          .settings(b.settings).clock(b.clock);
      if (b.listener != null) {
        sb.startListener(b.listener);
      }
      this.scheduler = sb.build();
    } catch (RuntimeException e) {
      telemetry.shutdown(); // no exporter threads left behind by a bad configuration
      client.close();
      throw e;
    }
  }

  /** With one vantage, the process is that vantage: say so on the Resource too. */
  private static Attributes resource(List<Vantage> vantages, Attributes extra) {
    AttributesBuilder attrs = Attributes.builder();
    if (vantages.size() == 1) {
      Vantage v = vantages.get(0);
      attrs.put(VANTAGE_ID, v.id()).put(VANTAGE_PROVIDER, v.provider());
      if (v.region() != null) {
        attrs.put(VANTAGE_REGION, v.region());
      }
    }
    return attrs.putAll(extra).build();
  }

  public static Builder builder(Vertx vertx) {
    return new Builder(vertx);
  }

  /** Arms every schedule. */
  public Future<Void> start() {
    return scheduler.start();
  }

  /**
   * Stops scheduling, waits for the runs in progress, then flushes the queued spans to every
   * path (at most 5 s, on a worker thread) and closes the HTTP client.
   */
  public Future<Void> stop() {
    return scheduler.stop()
        .compose(v -> vertx.executeBlocking(() -> telemetry.shutdown(FLUSH_TIMEOUT)))
        .transform(ar -> {
          client.close();
          return Future.<Void>succeededFuture();
        });
  }

  public ProbeScheduler scheduler() {
    return scheduler;
  }

  public JourneyRunner runner() {
    return runner;
  }

  public ProbeTelemetry telemetry() {
    return telemetry;
  }

  /** Builds a {@link ProbeNode}; fails fast on missing parts. */
  public static final class Builder {
    private final Vertx vertx;
    private List<Journey> journeys = List.of();
    private List<Vantage> vantages = List.of();
    private Map<String, String> targets = Map.of();
    private Supplier<Map<String, String>> roles;
    private ProbeSettings settings = ProbeSettings.defaults();
    private Clock clock = Clock.systemUTC();
    private ObservationSink sink;
    private Attributes resourceAttributes = Attributes.empty();
    private final List<ProbeTelemetry.Endpoint> endpoints = new ArrayList<>();
    private ProbeScheduler.StartListener listener;

    private Builder(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
    }

    public Builder journeys(List<Journey> value) {
      this.journeys = List.copyOf(value);
      return this;
    }

    /** The vantages this process probes from: one in production, several in the demo. */
    public Builder vantages(List<Vantage> value) {
      this.vantages = List.copyOf(value);
      return this;
    }

    /** Cloud id to base URL. */
    public Builder targets(Map<String, String> value) {
      this.targets = Map.copyOf(value);
      return this;
    }

    /** Cloud id to {@code active}/{@code standby}; read at every tick, must not block. */
    public Builder roles(Supplier<Map<String, String>> value) {
      this.roles = Objects.requireNonNull(value, "roles");
      return this;
    }

    public Builder settings(ProbeSettings value) {
      this.settings = Objects.requireNonNull(value, "settings");
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /** Also hands each observation to a local sink (demo); default: OTLP only. */
    public Builder sink(ObservationSink value) {
      this.sink = Objects.requireNonNull(value, "sink");
      return this;
    }

    /** One per telemetry path; at least one. */
    public Builder otlpEndpoint(ProbeTelemetry.Endpoint value) {
      endpoints.add(Objects.requireNonNull(value, "endpoint"));
      return this;
    }

    /** Extra Resource attributes, e.g. {@code tandem.observer}. */
    public Builder resourceAttributes(Attributes value) {
      this.resourceAttributes = Objects.requireNonNull(value, "resourceAttributes");
      return this;
    }

    /** Told of every run start with its planned time (self-metrics, benchmarks); optional. */
    public Builder startListener(ProbeScheduler.StartListener value) {
      this.listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    public ProbeNode build() {
      if (roles == null) {
        throw new IllegalStateException("roles are required: which cloud is active decides what runs");
      }
      if (endpoints.isEmpty() && sink == null) {
        throw new IllegalStateException("a probe node needs an OTLP endpoint (one per telemetry path) or a local"
            + " sink: its results would go nowhere");
      }
      return new ProbeNode(this);
    }
  }
}
