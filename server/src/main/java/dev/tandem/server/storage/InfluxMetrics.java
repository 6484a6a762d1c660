package dev.tandem.server.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The sink's self-metrics on the node's registry ({@code tandem.influx.*}; in Prometheus
 * {@code tandem_influx_points_written_total} and so on). Tag values come from closed sets: the
 * measurement names of the schema and the drop reasons below.
 */
final class InfluxMetrics {
  /** Why points were dropped. */
  static final String QUEUE_FULL = "queue_full";
  static final String REJECTED = "rejected";
  static final String SPILL_FULL = "spill_full";
  static final String SPILL_ERROR = "spill_error";
  static final String CLOSED = "closed";

  private final MeterRegistry registry;
  private final Map<String, Counter> accepted = new ConcurrentHashMap<>();
  private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
  private final Map<String, Counter> collapsed = new ConcurrentHashMap<>();
  final Counter written;
  final Counter retried;
  final Counter spilled;
  final Counter spillCorruptBytes;

  InfluxMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.written = Counter.builder("tandem.influx.points.written")
        .description("Points InfluxDB acknowledged").register(registry);
    this.retried = Counter.builder("tandem.influx.points.retried")
        .description("Points sent again: after a failed attempt, or read back from the spill").register(registry);
    this.spilled = Counter.builder("tandem.influx.points.spilled")
        .description("Points written to the on-disk spill while InfluxDB was unreachable or slow").register(registry);
    this.spillCorruptBytes = Counter.builder("tandem.influx.spill.corrupt").baseUnit("bytes")
        .description("Torn or corrupt spill bytes cut off at start-up").register(registry);
    for (String reason : new String[] {QUEUE_FULL, REJECTED, SPILL_FULL, SPILL_ERROR, CLOSED}) {
      dropped(reason);
    }
  }

  void gauges(Supplier<Number> spillBytes, Supplier<Number> queuePoints) {
    Gauge.builder("tandem.influx.spill.bytes", spillBytes, s -> s.get().doubleValue()).strongReference(true).baseUnit("bytes")
        .description("Size of the on-disk spill").register(registry);
    Gauge.builder("tandem.influx.queue.points", queuePoints, s -> s.get().doubleValue()).strongReference(true)
        .description("Points waiting in memory for the writer thread").register(registry);
  }

  Counter accepted(String measurement) {
    return accepted.computeIfAbsent(measurement, m -> Counter.builder("tandem.influx.points.accepted")
        .description("Points the sink accepted for writing, by measurement").tag("measurement", m).register(registry));
  }

  Counter dropped(String reason) {
    return dropped.computeIfAbsent(reason, r -> Counter.builder("tandem.influx.points.dropped")
        .description("Points given up: queue full, rejected by InfluxDB (HTTP 400), spill bound, spill error, offered after close")
        .tag("reason", r).register(registry));
  }

  Counter collapsed(String tag) {
    return collapsed.computeIfAbsent(tag, t -> Counter.builder("tandem.influx.tag.values.collapsed")
        .description("Tag values outside the configured closed set, written as _other").tag("tag", t)
        .register(registry));
  }

  long acceptedCount(String measurement) {
    Counter c = accepted.get(measurement);
    return c == null ? 0 : (long) c.count();
  }

  long droppedCount() {
    long n = 0;
    for (Counter c : dropped.values()) {
      n += (long) c.count();
    }
    return n;
  }
}
