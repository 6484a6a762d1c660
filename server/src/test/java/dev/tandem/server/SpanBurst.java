package dev.tandem.server;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Server spans of one service sent to one OTLP/HTTP path by the OpenTelemetry SDK's own exporter
 * (batched every 100 ms, no retries: a span either reached Tandem's answer or is counted as failed).
 * Counts what Tandem acknowledged, and how many of those were errors.
 */
final class SpanBurst implements AutoCloseable {
  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong acknowledgedErrors = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  SpanBurst(String otlpBaseUrl, String service) {
    SpanExporter otlp = OtlpHttpSpanExporter.builder().setEndpoint(otlpBaseUrl + "/v1/traces")
        .setTimeout(Duration.ofSeconds(5)).setRetryPolicy(null).build();
    SpanExporter counting = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        CompletableResultCode r = otlp.export(spans);
        long errors = spans.stream().filter(s -> s.getStatus().getStatusCode() == StatusCode.ERROR).count();
        r.whenComplete(() -> {
          if (r.isSuccess()) {
            acknowledged.addAndGet(spans.size());
            acknowledgedErrors.addAndGet(errors);
          } else {
            failed.addAndGet(spans.size());
          }
        });
        return r;
      }

      @Override
      public CompletableResultCode flush() {
        return otlp.flush();
      }

      @Override
      public CompletableResultCode shutdown() {
        return otlp.shutdown();
      }
    };
    provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service)))
        .addSpanProcessor(BatchSpanProcessor.builder(counting).setScheduleDelay(Duration.ofMillis(100))
            .setMaxExportBatchSize(256).setMaxQueueSize(16_384).build())
        .build();
    tracer = provider.get("tandem-crash-test");
  }

  /** Ends {@code n} spans now, {@code errors} of them with status ERROR. */
  void emit(int n, int errors) {
    for (int i = 0; i < n; i++) {
      Span span = tracer.spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER).startSpan();
      if (i < errors) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    }
  }

  long acknowledged() {
    return acknowledged.get();
  }

  long acknowledgedErrors() {
    return acknowledgedErrors.get();
  }

  long failed() {
    return failed.get();
  }

  /** Exports what is queued (a dead receiver fails it at once) and stops. */
  @Override
  public void close() {
    provider.shutdown().join(15, TimeUnit.SECONDS);
  }
}
