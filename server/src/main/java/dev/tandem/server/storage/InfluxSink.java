package dev.tandem.server.storage;

import dev.tandem.engine.budget.SloStatus;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationSink;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.observation.SliObservation;
import dev.tandem.engine.verdict.CloudAssessment;
import dev.tandem.engine.verdict.Health;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.TandemConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.influxdb.dto.Point;

/**
 * Writes Tandem's observations, SLO state and verdicts to InfluxDB (1.x HTTP API: line protocol
 * to {@code /write}, which InfluxDB 1.x, 2.x and 3.x all serve), through the official client
 * {@code org.influxdb:influxdb-java}, without losing what it accepted when the database is down.
 *
 * <h2>Schema</h2>
 *
 * <p>Timestamps have nanosecond precision. Tag values come from closed sets (the configuration,
 * the SLO and journey files, enums; see {@link InfluxTagValues}). Integer fields are written as
 * integers ({@code 1i}), others as floats, every time, so that field types never conflict.
 * {@code docs/influxdb-schema.md} has the same table with examples.
 *
 * <table>
 *   <caption>Measurements</caption>
 *   <tr><th>measurement</th><th>tags</th><th>fields</th><th>written</th></tr>
 *   <tr><td>{@code tandem_probe}</td><td>journey, step, cloud, vantage, result (ok|fail)</td>
 *       <td>latency_ms (int), ok (bool), attempts (int)</td><td>per probe step result, at its start time</td></tr>
 *   <tr><td>{@code tandem_path}</td><td>path, cloud</td><td>heartbeat (int, always 1)</td>
 *       <td>per path heartbeat (at most one a second per path)</td></tr>
 *   <tr><td>{@code tandem_replication}</td><td>domain, cloud</td><td>lag_seconds (float)</td>
 *       <td>per replication-lag sample</td></tr>
 *   <tr><td>{@code tandem_sli}</td><td>slo, cloud, path (when known)</td><td>good (int), total (int)</td>
 *       <td>per pre-computed SLI observation ({@code "type":"sli"})</td></tr>
 *   <tr><td>{@code tandem_verdict}</td><td>domain, observer, recommendation</td>
 *       <td>recommendation (string), reason (string), code (int: 0 STAY, 1 HOLD, 2 FAILOVER)</td>
 *       <td>per domain at each engine tick, at the verdict's generatedAt</td></tr>
 *   <tr><td>{@code tandem_cloud}</td><td>domain, cloud, role, health, fault</td>
 *       <td>health (string), healthy (int 0/1), ready (bool, standby only)</td>
 *       <td>per domain and cloud with each verdict</td></tr>
 *   <tr><td>{@code tandem_slo}</td><td>slo, cloud</td>
 *       <td>objective (float), good (int), total (int), sli (float, when there are events),
 *       budget_remaining (float, 1 untouched, below 0 overspent), firing_tiers (int)</td>
 *       <td>per SLO and cloud at each engine tick</td></tr>
 *   <tr><td>{@code tandem_slo_burn}</td><td>slo, cloud, window (e.g. 5m, 1h)</td><td>burn_rate (float)</td>
 *       <td>per SLO, cloud and tier window at each tick (none while the window has no events)</td></tr>
 *   <tr><td>{@code tandem_slo_tier}</td><td>slo, cloud, tier, severity (page|ticket)</td>
 *       <td>firing (int 0/1), threshold (float, error ratio), factor (float, burn rate)</td>
 *       <td>per SLO, cloud and burn-rate tier at each tick</td></tr>
 * </table>
 *
 * <h2>Delivery</h2>
 *
 * <p>{@link #accept}, {@link #verdict} and {@link #sloStatuses} only format points and put them
 * in a bounded queue: they never block an event loop or the engine. One writer thread
 * ({@code tandem-influx-writer}) sends batches; when a write fails it retries with exponential
 * backoff and jitter, and meanwhile spills batches to segment files under
 * {@code storage.dir/influx-spill/} (fsync'd; bounded, by default 256 MiB: at the bound the
 * oldest segment is deleted, logged once per episode and counted). When the database answers
 * again, the spill is sent in order before newer points. The spill survives a restart and is sent
 * first at the next start.
 *
 * <p>Delivery is at-least-once: a batch may be sent again after a timeout whose write did land,
 * or after a restart that replays a partly sent segment. That is harmless because every point
 * carries an explicit timestamp, and InfluxDB stores one point per series and timestamp: the
 * repeat overwrites the first copy with identical values.
 *
 * <p>What can still be lost, each counted in {@code tandem_influx_points_dropped_total} by
 * {@code reason}: points offered while the in-memory queue is full ({@code queue_full}; the
 * writer spills from half full on, so this needs a disk slower than the intake), points InfluxDB
 * rejects with 400 ({@code rejected}; a rejected batch is halved until the bad points are
 * isolated, so only they are dropped), the oldest spill at its bound ({@code spill_full}), and
 * points whose spill write or read failed ({@code spill_error}), points offered after
 * {@link #close()} ({@code closed}). Points in memory when the
 * process is killed (not stopped) are lost: at most one flush interval's worth.
 *
 * <p>Metrics: {@code tandem.influx.points.accepted} (by measurement), {@code .written},
 * {@code .retried}, {@code .spilled}, {@code .dropped} (by reason), {@code tandem.influx.spill.bytes},
 * {@code tandem.influx.queue.points}, {@code tandem.influx.tag.values.collapsed} (by tag).
 *
 * <p>An InfluxDB URL with credentials ({@code http://user:password@host:8086}) is used as basic
 * authentication and never logged: logs name the endpoint as {@code scheme://host:port}.
 */
public final class InfluxSink implements ObservationSink, AutoCloseable {
  /** The measurements this sink writes, for tests and dashboards. */
  public static final List<String> MEASUREMENTS = List.of("tandem_probe", "tandem_path", "tandem_replication",
      "tandem_sli", "tandem_verdict", "tandem_cloud", "tandem_slo", "tandem_slo_burn", "tandem_slo_tier");

  private final InfluxWriter writer;
  private final InfluxMetrics metrics;
  private final InfluxTagValues tags;
  private final Clock clock;
  private final Path ownedSpillDir;

  private InfluxSink(InfluxWriter writer, InfluxMetrics metrics, InfluxTagValues tags, Clock clock, Path ownedSpillDir) {
    this.writer = writer;
    this.metrics = metrics;
    this.tags = tags;
    this.clock = clock;
    this.ownedSpillDir = ownedSpillDir;
  }

  /**
   * Opens the spill in {@code spillDir} (replaying what an earlier run left there first) and
   * starts the writer thread. Does not contact the database: the database is created, if absent,
   * by the writer before its first write, whenever the server answers.
   *
   * @throws IOException if the spill folder cannot be opened
   */
  public static InfluxSink start(TandemConfig.Influx settings, Path spillDir, InfluxLimits limits,
      MeterRegistry registry, Clock clock, InfluxTagValues tags) throws IOException {
    return start(InfluxHttpSender.create(settings.url(), settings.database()), spillDir, limits, registry, clock, tags,
        null);
  }

  static InfluxSink start(LineSender sender, Path spillDir, InfluxLimits limits, MeterRegistry registry, Clock clock,
      InfluxTagValues tags, Path ownedSpillDir) throws IOException {
    InfluxMetrics metrics = new InfluxMetrics(registry);
    InfluxWriter writer;
    try {
      writer = new InfluxWriter(sender, spillDir, limits, metrics, () -> ThreadLocalRandom.current().nextDouble(),
          System::nanoTime);
    } catch (IOException | RuntimeException e) {
      sender.close();
      throw e;
    }
    InfluxSink sink = new InfluxSink(writer, metrics, tags, clock, ownedSpillDir);
    writer.start();
    return sink;
  }

  /**
   * A sink for tools and tests: default limits, its own metrics registry, the system clock, no
   * tag restriction, and a spill in a fresh temporary folder (deleted at {@link #close()} when
   * empty). A Tandem node uses {@link #start} with its {@code storage.dir}.
   */
  public static InfluxSink connect(TandemConfig.Influx settings) {
    try {
      Path dir = Files.createTempDirectory("tandem-influx-spill");
      return start(InfluxHttpSender.create(settings.url(), settings.database()), dir, InfluxLimits.defaults(),
          new SimpleMeterRegistry(), Clock.systemUTC(), InfluxTagValues.unrestricted(), dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Points accepted for {@code measurement} since start (queued; not necessarily written yet). */
  public long accepted(String measurement) {
    return metrics.acceptedCount(measurement);
  }

  /** Points InfluxDB acknowledged since start. */
  public long written() {
    return (long) metrics.written.count();
  }

  /** Points given up since start, for any reason (see the class comment). */
  public long failed() {
    return metrics.droppedCount();
  }

  /** Bytes in the on-disk spill now. */
  public long spillBytes() {
    return writer.spillBytes();
  }

  /** Points waiting: in memory and in the spill. */
  public long pending() {
    return writer.queued() + writer.spillPoints();
  }

  /** The writer thread (for CPU accounting in benchmarks). */
  public Thread writerThread() {
    return writer.thread();
  }

  @Override
  public void accept(Observation o) {
    if (o instanceof ProbeObservation p) {
      enqueue("tandem_probe", Point.measurement("tandem_probe").time(nanos(p.ts()), TimeUnit.NANOSECONDS)
          .tag("journey", tag("journey", p.journey())).tag("step", tag("step", p.step()))
          .tag("cloud", tag("cloud", p.cloud())).tag("vantage", tag("vantage", p.vantage()))
          .tag("result", p.ok() ? "ok" : "fail")
          .addField("latency_ms", p.latencyMs()).addField("ok", p.ok())
          .addField("attempts", (long) p.attempts()));
    } else if (o instanceof HeartbeatObservation h) {
      enqueue("tandem_path", Point.measurement("tandem_path").time(nanos(h.ts()), TimeUnit.NANOSECONDS)
          .tag("path", tag("path", h.path())).tag("cloud", tag("cloud", h.cloud())).addField("heartbeat", 1L));
    } else if (o instanceof ReplicationObservation r) {
      if (Double.isFinite(r.lagSeconds())) {
        enqueue("tandem_replication", Point.measurement("tandem_replication")
            .time(nanos(r.ts()), TimeUnit.NANOSECONDS)
            .tag("domain", tag("domain", r.domain())).tag("cloud", tag("cloud", r.cloud()))
            .addField("lag_seconds", r.lagSeconds()));
      }
    } else if (o instanceof SliObservation s) {
      Point.Builder b = Point.measurement("tandem_sli").time(nanos(s.ts()), TimeUnit.NANOSECONDS)
          .tag("slo", tag("slo", s.slo())).tag("cloud", tag("cloud", s.cloud()));
      if (s.path() != null) {
        b.tag("path", tag("path", s.path()));
      }
      enqueue("tandem_sli", b.addField("good", s.good()).addField("total", s.total()));
    }
  }

  /** Records a verdict (the node calls it for every domain at each engine tick). */
  public void verdict(Verdict v) {
    long at = nanos(v.generatedAt());
    enqueue("tandem_verdict", Point.measurement("tandem_verdict").time(at, TimeUnit.NANOSECONDS)
        .tag("domain", tag("domain", v.domain())).tag("observer", tag("observer", v.observer().id()))
        .tag("recommendation", v.recommendation().name())
        .addField("recommendation", v.recommendation().name())
        .addField("reason", v.reason())
        .addField("code", (long) switch (v.recommendation()) {
          case STAY -> 0;
          case HOLD -> 1;
          case FAILOVER -> 2;
        }));
    for (Map.Entry<String, CloudAssessment> e : v.clouds().entrySet()) {
      CloudAssessment c = e.getValue();
      Point.Builder b = Point.measurement("tandem_cloud").time(at, TimeUnit.NANOSECONDS)
          .tag("domain", tag("domain", v.domain())).tag("cloud", tag("cloud", e.getKey())).tag("role", c.role())
          .tag("health", c.health().name()).tag("fault", c.fault().name())
          .addField("health", c.health().name())
          .addField("healthy", c.health() == Health.HEALTHY ? 1L : 0L);
      if (c.ready() != null) {
        b.addField("ready", c.ready().booleanValue());
      }
      enqueue("tandem_cloud", b);
    }
  }

  /**
   * Records where every SLO stands (the statuses of one SLO engine evaluation), stamped with the
   * clock's time now: {@code tandem_slo}, {@code tandem_slo_burn} and {@code tandem_slo_tier}.
   */
  public void sloStatuses(List<SloStatus> statuses) {
    long at = nanos(clock.instant());
    for (SloStatus s : statuses) {
      String slo = tag("slo", s.slo());
      String cloud = tag("cloud", s.cloud());
      Point.Builder b = Point.measurement("tandem_slo").time(at, TimeUnit.NANOSECONDS).tag("slo", slo).tag("cloud", cloud)
          .addField("good", s.good()).addField("total", s.total())
          .addField("firing_tiers", (long) s.firing().size());
      addFinite(b, "objective", parse(s.objective()));
      addFinite(b, "budget_remaining", s.budgetRemaining());
      if (s.sli() != null) {
        addFinite(b, "sli", s.sli());
      }
      enqueue("tandem_slo", b);
      for (Map.Entry<String, Double> w : s.burnRates().entrySet()) {
        if (w.getValue() != null && Double.isFinite(w.getValue())) {
          enqueue("tandem_slo_burn", Point.measurement("tandem_slo_burn").time(at, TimeUnit.NANOSECONDS)
              .tag("slo", slo).tag("cloud", cloud).tag("window", w.getKey()).addField("burn_rate", w.getValue()));
        }
      }
      for (SloStatus.TierState t : s.tiers()) {
        Point.Builder tier = Point.measurement("tandem_slo_tier").time(at, TimeUnit.NANOSECONDS)
            .tag("slo", slo).tag("cloud", cloud).tag("tier", t.name()).tag("severity", t.severity())
            .addField("firing", t.firing() ? 1L : 0L);
        addFinite(tier, "threshold", parse(t.threshold()));
        addFinite(tier, "factor", parse(t.factor()));
        enqueue("tandem_slo_tier", tier);
      }
    }
  }

  private static void addFinite(Point.Builder b, String field, double value) {
    // InfluxDB rejects NaN and infinities (the whole point would be a 400): leave the field out.
    if (Double.isFinite(value)) {
      b.addField(field, value);
    }
  }

  private static double parse(String decimal) {
    try {
      return decimal == null ? Double.NaN : Double.parseDouble(decimal);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private String tag(String key, String value) {
    String ok = tags.check(key, value);
    if (ok == null) {
      metrics.collapsed(key).increment();
      return InfluxTagValues.OTHER;
    }
    return ok;
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private void enqueue(String measurement, Point.Builder point) {
    String line = point.build().lineProtocol(TimeUnit.NANOSECONDS);
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      // One point per line: the spill and the line protocol both split on newlines.
      line = line.replace('\n', ' ').replace('\r', ' ');
    }
    if (writer.offer(line)) {
      metrics.accepted(measurement).increment();
    } else {
      metrics.dropped(writer.closed() ? InfluxMetrics.CLOSED : InfluxMetrics.QUEUE_FULL).increment();
    }
  }

  /**
   * Stops taking points and hands what is in memory to the database, or to the spill when the
   * database does not answer (sent at the next start). Blocks for at most the close timeout plus
   * one request: call it off the event loop.
   */
  @Override
  public void close() {
    writer.close();
    if (ownedSpillDir != null && writer.spillPoints() == 0) {
      try (Stream<Path> files = Files.list(ownedSpillDir)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
        Files.deleteIfExists(ownedSpillDir);
      } catch (IOException e) {
        // A temporary folder left behind is harmless.
      }
    }
  }
}
