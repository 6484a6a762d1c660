package dev.tandem.sim;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One cloud's OpenTelemetry: a Resource, tracer and meter per service, all exported to this
 * cloud's own OTLP/HTTP endpoint (and to every further receiver its settings name). Spans and metrics pass a gate that the cloud's faults close
 * ({@code down}, {@code telemetryOff}); what the gate stops is dropped and counted, never sent.
 *
 * <p>Metrics are pulled by {@link #collectAndExport()}, which the cloud calls on a Vert.x timer,
 * so there is one exporter per signal per cloud and no reader thread per service.
 */
final class CloudTelemetry {
  static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  static final AttributeKey<String> CLOUD_REGION = AttributeKey.stringKey("cloud.region");
  static final AttributeKey<String> TANDEM_CLOUD = AttributeKey.stringKey("tandem.cloud");
  static final AttributeKey<String> TANDEM_DOMAIN = AttributeKey.stringKey("tandem.domain");
  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  static final String DURATION_METRIC = "http.server.request.duration";
  static final String LAG_METRIC = "db.replication.lag";

  // Semantic conventions' advice for http.server.request.duration.
  private static final List<Double> DURATION_BUCKETS =
      List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  private static final TextMapGetter<MultiMap> HEADERS =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(MultiMap carrier) {
          return carrier.names();
        }

        @Override
        public String get(MultiMap carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private record ServiceTelemetry(
      SdkTracerProvider tracerProvider,
      Tracer tracer,
      SdkMeterProvider meterProvider,
      PullReader reader,
      DoubleHistogram duration) {}

  private final Map<String, ServiceTelemetry> services = new LinkedHashMap<>();
  private final BatchSpanProcessor spanProcessor;
  private final List<MetricExporter> metricExporters;
  private final Predicate<TelemetrySignal> gate;
  private final Map<TelemetrySignal, AtomicLong> dropped = new EnumMap<>(TelemetrySignal.class);
  private final AtomicBoolean metricExportInFlight = new AtomicBoolean();
  private final AtomicLong skippedMetricExports = new AtomicLong();

  /**
   * @param gate whether a signal may leave the cloud now
   * @param standbyLag the replication lag to report, empty while this cloud is active
   */
  CloudTelemetry(
      CloudSettings cloud,
      SimSettings settings,
      Predicate<TelemetrySignal> gate,
      Supplier<OptionalDouble> standbyLag) {
    this.gate = gate;
    for (TelemetrySignal signal : TelemetrySignal.values()) {
      dropped.put(signal, new AtomicLong());
    }
    SpanExporter spanExporter;
    List<MetricExporter> metrics = new ArrayList<>();
    if (cloud.otlpEndpoints().isEmpty()) {
      spanExporter = new DiscardingSpanExporter();
    } else {
      // One exporter per receiver: a slow or dead receiver times out on its own.
      List<SpanExporter> spans = new ArrayList<>();
      for (String endpoint : cloud.otlpEndpoints()) {
        spans.add(OtlpHttpSpanExporter.builder()
            .setEndpoint(endpoint + "/v1/traces")
            .setTimeout(Duration.ofSeconds(5))
            .setConnectTimeout(Duration.ofSeconds(2))
            // Never touch GlobalOpenTelemetry: the hosting process may set it later.
            .setMeterProvider(MeterProvider::noop)
            .build());
        metrics.add(OtlpHttpMetricExporter.builder()
            .setEndpoint(endpoint + "/v1/metrics")
            .setTimeout(Duration.ofSeconds(5))
            .setConnectTimeout(Duration.ofSeconds(2))
            .setMeterProvider(MeterProvider::noop)
            .build());
      }
      spanExporter = SpanExporter.composite(spans);
    }
    this.metricExporters = List.copyOf(metrics);
    this.spanProcessor =
        BatchSpanProcessor.builder(new GatedSpanExporter(spanExporter))
            .setScheduleDelay(settings.spanExportInterval())
            .setMaxQueueSize(4_096)
            .setMeterProvider(MeterProvider::noop)
            .build();

    for (String serviceName : serviceNames()) {
      Resource resource =
          Resource.getDefault()
              .merge(
                  Resource.create(
                      Attributes.of(
                          SERVICE_NAME, serviceName,
                          CLOUD_REGION, cloud.region(),
                          TANDEM_CLOUD, cloud.id())));
      SdkTracerProvider tracerProvider =
          SdkTracerProvider.builder().setResource(resource).addSpanProcessor(spanProcessor).build();
      PullReader reader = new PullReader();
      SdkMeterProvider meterProvider =
          SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build();
      Meter meter = meterProvider.get("dev.tandem.sim");
      DoubleHistogram duration =
          meter
              .histogramBuilder(DURATION_METRIC)
              .setUnit("s")
              .setDescription("Duration of HTTP server requests.")
              .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
              .build();
      if (serviceName.equals(Operation.SUBMIT.service())) {
        // The order database belongs to order-service; the standby reports how far behind it is.
        Attributes lagAttributes = Attributes.of(TANDEM_DOMAIN, settings.domainId());
        meter
            .gaugeBuilder(LAG_METRIC)
            .setUnit("s")
            .setDescription("How far the standby's order database is behind the active one.")
            .buildWithCallback(
                m -> {
                  OptionalDouble lag = standbyLag.get();
                  if (lag.isPresent()) {
                    m.record(lag.getAsDouble(), lagAttributes);
                  }
                });
      }
      services.put(
          serviceName,
          new ServiceTelemetry(
              tracerProvider, tracerProvider.get("dev.tandem.sim"), meterProvider, reader, duration));
    }
  }

  /** Starts the SERVER span of a request, continuing the caller's W3C trace if it sent one. */
  Span startServerSpan(Operation op, MultiMap headers) {
    Context parent =
        W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
    return services
        .get(op.service())
        .tracer()
        .spanBuilder(op.method() + " " + op.route())
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(HTTP_METHOD, op.method())
        .setAttribute(HTTP_ROUTE, op.route())
        .startSpan();
  }

  /** Ends a request's span and records its duration. */
  void endRequest(Operation op, Span span, int status, long elapsedNanos) {
    boolean serverError = status >= 500;
    span.setAttribute(HTTP_STATUS, (long) status);
    if (serverError) {
      span.setAttribute(ERROR_TYPE, Integer.toString(status));
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
    Attributes attributes =
        serverError
            ? Attributes.of(HTTP_METHOD, op.method(), HTTP_ROUTE, op.route(),
                HTTP_STATUS, (long) status, ERROR_TYPE, Integer.toString(status))
            : Attributes.of(HTTP_METHOD, op.method(), HTTP_ROUTE, op.route(), HTTP_STATUS, (long) status);
    services.get(op.service()).duration().record(elapsedNanos / 1e9, attributes);
  }

  /** Collects every service's metrics and exports them, unless the gate is closed. */
  void collectAndExport() {
    if (metricExporters.isEmpty()) {
      return;
    }
    if (!gate.test(TelemetrySignal.METRICS)) {
      dropped.get(TelemetrySignal.METRICS).incrementAndGet();
      return;
    }
    List<MetricData> all = new ArrayList<>();
    for (ServiceTelemetry service : services.values()) {
      all.addAll(service.reader().collect());
    }
    if (all.isEmpty()) {
      return;
    }
    // Cumulative points: skipping a round while the last export is in flight loses nothing,
    // and a slow receiver cannot pile up requests.
    if (!metricExportInFlight.compareAndSet(false, true)) {
      skippedMetricExports.incrementAndGet();
      return;
    }
    List<CompletableResultCode> exports = new ArrayList<>();
    for (MetricExporter exporter : metricExporters) {
      exports.add(exporter.export(all));
    }
    CompletableResultCode.ofAll(exports).whenComplete(() -> metricExportInFlight.set(false));
  }

  /** Export batches (spans) or collections (metrics) dropped by the gate. */
  long dropped(TelemetrySignal signal) {
    return dropped.get(signal).get();
  }

  /** Metric export rounds skipped because the previous export was still in flight. */
  long skippedMetricExports() {
    return skippedMetricExports.get();
  }

  /** Flushes what is queued and releases exporters; completes when done, never fails. */
  CompletableResultCode shutdown() {
    List<CompletableResultCode> results = new ArrayList<>();
    for (ServiceTelemetry service : services.values()) {
      results.add(service.tracerProvider().shutdown());
      results.add(service.meterProvider().shutdown());
    }
    results.add(spanProcessor.shutdown());
    for (MetricExporter exporter : metricExporters) {
      results.add(exporter.shutdown());
    }
    return CompletableResultCode.ofAll(results);
  }

  private static List<String> serviceNames() {
    List<String> names = new ArrayList<>();
    for (Operation op : Operation.values()) {
      if (!names.contains(op.service())) {
        names.add(op.service());
      }
    }
    return names;
  }

  /** Holds a meter provider's collection handle; the cloud's timer pulls through it. */
  private static final class PullReader implements MetricReader {
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration value) {
      this.registration = value;
    }

    Collection<MetricData> collect() {
      return registration.collectAllMetrics();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      registration = CollectionRegistration.noop();
      return CompletableResultCode.ofSuccess();
    }
  }

  private final class GatedSpanExporter implements SpanExporter {
    private final SpanExporter delegate;

    GatedSpanExporter(SpanExporter delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      if (!gate.test(TelemetrySignal.TRACES)) {
        dropped.get(TelemetrySignal.TRACES).incrementAndGet();
        return CompletableResultCode.ofSuccess();
      }
      return delegate.export(spans);
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }
  }

  private static final class DiscardingSpanExporter implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
