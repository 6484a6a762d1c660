package dev.tandem.synthetics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.Tracer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Spans a full export queue drops are counted per endpoint, so that /metrics can show them. */
class ProbeTelemetryDropsTest {
  @Test
  void spansBeyondTheQueueAreCountedAsDropped() {
    // Nothing listens on port 1; a long schedule delay keeps the small queue from draining early.
    ProbeTelemetry telemetry = ProbeTelemetry.builder()
        .endpoint(new ProbeTelemetry.Endpoint("http://127.0.0.1:1"))
        .maxQueueSize(4).maxBatchSize(4).scheduleDelay(Duration.ofSeconds(60)).exportTimeout(Duration.ofMillis(200))
        .build();
    try {
      Tracer tracer = telemetry.openTelemetry().getTracer("test");
      for (int i = 0; i < 100; i++) {
        tracer.spanBuilder("step-" + i).startSpan().end();
      }
      // The processor exports at most one queue's worth at a time; every other span is dropped.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(telemetry.droppedSpans(0)).isBetween(100L - 2 * 4 - 1, 100L - 4);
        assertThat(telemetry.droppedSpans(0) + telemetry.exportedSpans(0) + telemetry.failedSpans(0))
            .isLessThanOrEqualTo(100);
      });
    } finally {
      telemetry.shutdown(Duration.ofSeconds(2));
    }
  }
}
