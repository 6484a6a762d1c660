package dev.tandem.synthetics;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The OpenTelemetry that probe runs are traced with, exporting every span over OTLP/HTTP
 * (protobuf) to each of several receivers: one {@link BatchSpanProcessor} and one
 * {@link OtlpHttpSpanExporter} per endpoint, so that a probe result reaches every telemetry path
 * on its own and losing one path loses none (dual-homed). Hand {@link #openTelemetry()} to
 * {@link JourneyRunner.Builder#openTelemetry}.
 *
 * <p>Bounds: each endpoint queues at most {@code maxQueueSize} spans (default 2,048); beyond it
 * that endpoint's processor drops new spans while the other endpoints still get them. Each
 * endpoint is counted ({@link #exportedSpans}, {@link #failedSpans}, {@link #droppedSpans}) for
 * {@code /metrics}; the drops are read from the batch processor's own count, through a private
 * meter provider per endpoint. Never touches {@code GlobalOpenTelemetry}; the exporters' own
 * metrics are turned off.
 *
 * <p>Call {@link #shutdown()} on the way out: it flushes what is queued (bounded by the export
 * timeout) and stops the exporter threads.
 */
public final class ProbeTelemetry {
  public static final String DEFAULT_SERVICE_NAME = "tandem-synthetics";
  public static final Duration DEFAULT_SCHEDULE_DELAY = Duration.ofMillis(500);
  public static final Duration DEFAULT_EXPORT_TIMEOUT = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_QUEUE_SIZE = 2_048;
  public static final int DEFAULT_MAX_BATCH_SIZE = 512;

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  /**
   * One OTLP/HTTP receiver.
   *
   * @param baseUrl e.g. {@code http://127.0.0.1:4318}; {@code /v1/traces} is appended
   * @param headers sent with every export, e.g. {@code Authorization: Bearer <path token>}
   */
  public record Endpoint(String baseUrl, Map<String, String> headers) {
    public Endpoint {
      Objects.requireNonNull(baseUrl, "baseUrl");
      URI uri;
      try {
        uri = URI.create(baseUrl);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("OTLP endpoint '" + baseUrl + "' is not a URL");
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("OTLP endpoint '" + baseUrl + "' must be http(s)://host[:port]");
      }
      while (baseUrl.endsWith("/")) {
        baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
      }
      if (baseUrl.endsWith("/v1/traces")) {
        baseUrl = baseUrl.substring(0, baseUrl.length() - "/v1/traces".length());
      }
      headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    public Endpoint(String baseUrl) {
      this(baseUrl, Map.of());
    }

    String tracesUrl() {
      return baseUrl + "/v1/traces";
    }
  }

  private final OpenTelemetrySdk sdk;
  private final List<Endpoint> endpoints;
  private final List<CountingExporter> exporters;

  private final List<DropReader> drops;
  private final List<SdkMeterProvider> meters;

  private ProbeTelemetry(OpenTelemetrySdk sdk, List<Endpoint> endpoints, List<CountingExporter> exporters,
      List<DropReader> drops, List<SdkMeterProvider> meters) {
    this.sdk = sdk;
    this.endpoints = endpoints;
    this.exporters = exporters;
    this.drops = drops;
    this.meters = meters;
  }

  /**
   * Exports probe traces to every given OTLP/HTTP base URL (one per telemetry path), with
   * {@code service.name=tandem-synthetics} plus {@code resourceAttributes}.
   */
  public static ProbeTelemetry dualHomed(List<String> otlpHttpBaseUrls, Attributes resourceAttributes) {
    Builder b = builder().resourceAttributes(resourceAttributes);
    otlpHttpBaseUrls.forEach(url -> b.endpoint(new Endpoint(url)));
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** For {@link JourneyRunner.Builder#openTelemetry}. */
  public OpenTelemetry openTelemetry() {
    return sdk;
  }

  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /** Spans the receiver at {@code endpoint} (an index into {@link #endpoints()}) acknowledged. */
  public long exportedSpans(int endpoint) {
    return exporters.get(endpoint).exported.get();
  }

  /** Spans whose export to {@code endpoint} failed after the exporter's own retries. */
  public long failedSpans(int endpoint) {
    return exporters.get(endpoint).failed.get();
  }

  /** Spans dropped before export to {@code endpoint} because its queue was full. */
  public long droppedSpans(int endpoint) {
    return drops.get(endpoint).dropped();
  }

  /** Exports what is queued, to every endpoint. */
  public CompletableResultCode forceFlush() {
    return sdk.getSdkTracerProvider().forceFlush();
  }

  /** Flushes, then stops every processor and exporter; blocks for at most {@code timeout}. */
  public boolean shutdown(Duration timeout) {
    boolean ok = sdk.shutdown().join(timeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
    meters.forEach(SdkMeterProvider::shutdown);
    return ok;
  }

  /** Flushes and stops, without waiting. */
  public CompletableResultCode shutdown() {
    return sdk.shutdown();
  }

  /** Builds a {@link ProbeTelemetry}; fails fast on no endpoint or bad bounds. */
  public static final class Builder {
    private final List<Endpoint> endpoints = new ArrayList<>();
    private Attributes resourceAttributes = Attributes.empty();
    private Duration scheduleDelay = DEFAULT_SCHEDULE_DELAY;
    private Duration exportTimeout = DEFAULT_EXPORT_TIMEOUT;
    private int maxQueueSize = DEFAULT_MAX_QUEUE_SIZE;
    private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    private io.opentelemetry.sdk.common.Clock clock;

    private Builder() {}

    /** One more receiver; give one per telemetry path. */
    public Builder endpoint(Endpoint value) {
      endpoints.add(Objects.requireNonNull(value, "endpoint"));
      return this;
    }

    /** Added to {@code service.name=tandem-synthetics} (which they may override). */
    public Builder resourceAttributes(Attributes value) {
      this.resourceAttributes = Objects.requireNonNull(value, "resourceAttributes");
      return this;
    }

    /** How long a span may wait in a queue before its batch goes (default 500 ms). */
    public Builder scheduleDelay(Duration value) {
      this.scheduleDelay = Objects.requireNonNull(value, "scheduleDelay");
      return this;
    }

    /** One export's deadline, retries included (default 5 s). */
    public Builder exportTimeout(Duration value) {
      this.exportTimeout = Objects.requireNonNull(value, "exportTimeout");
      return this;
    }

    /** Spans queued per endpoint; beyond it new spans are dropped for that endpoint (default 2048). */
    public Builder maxQueueSize(int value) {
      this.maxQueueSize = value;
      return this;
    }

    public Builder maxBatchSize(int value) {
      this.maxBatchSize = value;
      return this;
    }

    /**
     * The SDK's clock, for spans the runner does not time itself. The runner sets every span's
     * start and end from its own {@code java.time.Clock}, so this rarely matters.
     */
    public Builder clock(io.opentelemetry.sdk.common.Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    public ProbeTelemetry build() {
      if (endpoints.isEmpty()) {
        throw new IllegalStateException("probe telemetry needs at least one OTLP endpoint");
      }
      if (endpoints.stream().map(Endpoint::baseUrl).distinct().count() != endpoints.size()) {
        throw new IllegalStateException("the same OTLP endpoint is given twice: " + endpoints);
      }
      if (scheduleDelay.isNegative() || scheduleDelay.isZero() || scheduleDelay.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalStateException("scheduleDelay must be between 1 ms and 1 min, got " + scheduleDelay);
      }
      if (exportTimeout.isNegative() || exportTimeout.isZero() || exportTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalStateException("exportTimeout must be between 1 ms and 1 min, got " + exportTimeout);
      }
      if (maxQueueSize < 1 || maxQueueSize > 1_000_000) {
        throw new IllegalStateException("maxQueueSize must be between 1 and 1000000, got " + maxQueueSize);
      }
      if (maxBatchSize < 1 || maxBatchSize > maxQueueSize) {
        throw new IllegalStateException("maxBatchSize must be between 1 and maxQueueSize, got " + maxBatchSize);
      }
      Resource resource = Resource.getDefault()
          .merge(Resource.create(Attributes.of(SERVICE_NAME, DEFAULT_SERVICE_NAME)))
          .merge(Resource.create(resourceAttributes));
      SdkTracerProviderBuilder tracing = SdkTracerProvider.builder()
          .setResource(resource)
          .setSampler(Sampler.alwaysOn()); // every probe result counts: never sample one away
      if (clock != null) {
        tracing.setClock(clock);
      }
      List<CountingExporter> counting = new ArrayList<>();
      List<DropReader> drops = new ArrayList<>();
      List<SdkMeterProvider> meters = new ArrayList<>();
      for (Endpoint endpoint : endpoints) {
        DropReader drop = new DropReader();
        SdkMeterProvider meter = SdkMeterProvider.builder().registerMetricReader(drop).build();
        drops.add(drop);
        meters.add(meter);
        OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder()
            .setEndpoint(endpoint.tracesUrl())
            .setTimeout(exportTimeout)
            .setMeterProvider(MeterProvider::noop);
        endpoint.headers().forEach(exporter::addHeader);
        CountingExporter wrapped = new CountingExporter(exporter.build());
        counting.add(wrapped);
        tracing.addSpanProcessor(BatchSpanProcessor.builder(wrapped)
            .setScheduleDelay(scheduleDelay)
            .setExporterTimeout(exportTimeout)
            .setMaxQueueSize(maxQueueSize)
            .setMaxExportBatchSize(maxBatchSize)
            .setMeterProvider(() -> meter)
            .build());
      }
      OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
          .setTracerProvider(tracing.build())
          .setPropagators(ContextPropagators.noop())
          .build();
      return new ProbeTelemetry(sdk, List.copyOf(endpoints), List.copyOf(counting), List.copyOf(drops),
          List.copyOf(meters));
    }
  }

  /**
   * Reads one batch processor's count of spans dropped at its queue's bound. The processor only
   * reports it as a metric ({@code processedSpans} with {@code dropped=true}; newer SDKs:
   * {@code otel.sdk.processor.span.processed} with an {@code error.type}), so it gets a meter
   * provider of its own whose one reader is read on demand (when /metrics is scraped).
   */
  private static final class DropReader implements MetricReader {
    private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration value) {
      registration = value;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType type) {
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

    long dropped() {
      long n = 0;
      for (MetricData m : registration.collectAllMetrics()) {
        if (m.getType() != MetricDataType.LONG_SUM) {
          continue;
        }
        boolean legacy = m.getName().equals("processedSpans");
        boolean semconv = m.getName().equals("otel.sdk.processor.span.processed");
        for (LongPointData p : m.getLongSumData().getPoints()) {
          if ((legacy && Boolean.TRUE.equals(p.getAttributes().get(DROPPED)))
              || (semconv && p.getAttributes().get(ERROR_TYPE) != null)) {
            n += p.getValue();
          }
        }
      }
      return n;
    }
  }

  /** Counts what one endpoint acknowledged and what it did not. */
  private static final class CountingExporter implements SpanExporter {
    private final SpanExporter delegate;
    final AtomicLong exported = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    CountingExporter(SpanExporter delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      int n = spans.size();
      CompletableResultCode result = delegate.export(spans);
      result.whenComplete(() -> (result.isSuccess() ? exported : failed).addAndGet(n));
      return result;
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
}
