package dev.tandem.server.storage;

import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.verdict.CloudAssessment;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.TandemConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.influxdb.BatchOptions;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.Point;
import org.influxdb.dto.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes probe results, path heartbeats, replication lag and verdicts to InfluxDB (1.x HTTP API,
 * which every InfluxDB generation serves), batched on the client's own thread. Schema (tag values
 * come from configuration, so cardinality is bounded by it):
 *
 * <ul>
 *   <li>{@code tandem_probe}: tags journey, step, cloud, vantage, result (ok|fail); fields latency_ms, ok, attempts
 *   <li>{@code tandem_path}: tags path, cloud; field heartbeat=1
 *   <li>{@code tandem_replication}: tags domain, cloud; field lag_seconds
 *   <li>{@code tandem_verdict}: tags domain, observer, recommendation; fields recommendation, reason, code (0 STAY, 1 HOLD, 2 FAILOVER)
 *   <li>{@code tandem_cloud}: tags domain, cloud, role, health, fault; fields health (string), healthy (0/1), ready
 * </ul>
 *
 * <p>The client buffers up to {@link #BUFFER_POINTS} points while the database is down and drops
 * beyond that (counted in {@link #failed()}); a lossless on-disk spill is not built yet.
 */
public final class InfluxSink implements ObservationSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InfluxSink.class);
  static final int BUFFER_POINTS = 20_000;

  private final InfluxDB influx;
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong written = new AtomicLong();

  private InfluxSink(InfluxDB influx) {
    this.influx = influx;
  }

  /** Connects, creates the database if absent and starts batching. */
  public static InfluxSink connect(TandemConfig.Influx settings) {
    InfluxDB influx = InfluxDBFactory.connect(settings.url());
    InfluxSink sink = new InfluxSink(influx);
    try {
      influx.query(new Query("CREATE DATABASE \"" + settings.database().replace("\"", "") + "\""));
    } catch (RuntimeException e) {
      log.warn("InfluxDB at {}: cannot create database {} now ({}); writes will be retried",
          settings.url(), settings.database(), e.getMessage());
    }
    influx.setDatabase(settings.database());
    influx.enableBatch(BatchOptions.DEFAULTS.actions(500).flushDuration(1000)
        .bufferLimit(BUFFER_POINTS).jitterDuration(100)
        .exceptionHandler((points, e) -> {
          long n = 0;
          for (Point ignored : points) {
            n++;
          }
          if (sink.failed.getAndAdd(n) % 1000 == 0) {
            log.warn("InfluxDB at {}: write of {} points failed", settings.url(), n, e);
          }
        }));
    return sink;
  }

  public long failed() {
    return failed.get();
  }

  public long written() {
    return written.get();
  }

  @Override
  public void accept(Observation o) {
    Point point = null;
    if (o instanceof ProbeObservation p) {
      point = Point.measurement("tandem_probe").time(p.ts().toEpochMilli(), TimeUnit.MILLISECONDS)
          .tag(Map.of("journey", p.journey(), "step", p.step(), "cloud", p.cloud(),
              "vantage", p.vantage(), "result", p.ok() ? "ok" : "fail"))
          .addField("latency_ms", p.latencyMs()).addField("ok", p.ok())
          .addField("attempts", (long) p.attempts()).build();
    } else if (o instanceof HeartbeatObservation h) {
      point = Point.measurement("tandem_path").time(h.ts().toEpochMilli(), TimeUnit.MILLISECONDS)
          .tag(Map.of("path", h.path(), "cloud", h.cloud())).addField("heartbeat", 1L).build();
    } else if (o instanceof ReplicationObservation r) {
      point = Point.measurement("tandem_replication").time(r.ts().toEpochMilli(), TimeUnit.MILLISECONDS)
          .tag(Map.of("domain", r.domain(), "cloud", r.cloud())).addField("lag_seconds", r.lagSeconds()).build();
    }
    if (point != null) {
      write(point);
    }
  }

  /** Records a verdict (called at each change and at each evaluation tick). */
  public void verdict(Verdict v) {
    long at = v.generatedAt().toEpochMilli();
    write(Point.measurement("tandem_verdict").time(at, TimeUnit.MILLISECONDS)
        .tag(Map.of("domain", v.domain(), "observer", v.observer().id(),
            "recommendation", v.recommendation().name()))
        .addField("recommendation", v.recommendation().name())
        .addField("reason", v.reason())
        .addField("code", (long) switch (v.recommendation()) {
          case STAY -> 0;
          case HOLD -> 1;
          case FAILOVER -> 2;
        }).build());
    for (Map.Entry<String, CloudAssessment> e : v.clouds().entrySet()) {
      CloudAssessment c = e.getValue();
      Point.Builder b = Point.measurement("tandem_cloud").time(at, TimeUnit.MILLISECONDS)
          .tag(Map.of("domain", v.domain(), "cloud", e.getKey(), "role", c.role(),
              "health", c.health().name(), "fault", c.fault().name()))
          .addField("health", c.health().name())
          .addField("healthy", c.health() == dev.tandem.engine.verdict.Health.HEALTHY ? 1L : 0L);
      if (c.ready() != null) {
        b.addField("ready", c.ready());
      }
      write(b.build());
    }
  }

  private void write(Point p) {
    try {
      influx.write(p);
      written.incrementAndGet();
    } catch (RuntimeException e) {
      failed.incrementAndGet();
    }
  }

  /** Flushes what is buffered, then closes. */
  @Override
  public void close() {
    try {
      influx.flush();
    } catch (RuntimeException e) {
      log.warn("InfluxDB: final flush failed", e);
    }
    influx.close();
  }
}
