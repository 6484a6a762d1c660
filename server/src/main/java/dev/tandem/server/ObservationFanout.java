package dev.tandem.server;

import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.ProbeDeduplicator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each observation once to every consumer (engine, SLO state, recording, InfluxDB) and
 * counts it by type; a probe step result that arrives twice (in process and over OTLP) passes once.
 * One consumer's failure is logged (throttled) and does not stop the others.
 */
final class ObservationFanout implements ObservationSink {
  private static final Logger log = LoggerFactory.getLogger(ObservationFanout.class);

  private final List<ObservationSink> sinks;
  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicLong failures = new AtomicLong();

  private final ProbeDeduplicator dedup;

  ObservationFanout(List<ObservationSink> sinks, MeterRegistry registry, ProbeDeduplicator dedup) {
    this.sinks = List.copyOf(sinks);
    this.registry = registry;
    this.dedup = dedup;
  }

  @Override
  public void accept(Observation o) {
    if (!dedup.firstSeen(o)) {
      return;
    }
    counters.computeIfAbsent(o.type(), t -> Counter.builder("tandem.observations")
        .description("Observations handed to the engine, by type").tag("type", t)
        .register(registry)).increment();
    for (ObservationSink sink : sinks) {
      try {
        sink.accept(o);
      } catch (RuntimeException e) {
        if (failures.getAndIncrement() % 1000 == 0) {
          log.error("an observation consumer failed ({} failures so far)", failures.get(), e);
        }
      }
    }
  }
}
