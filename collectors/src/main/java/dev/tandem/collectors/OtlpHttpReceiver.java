package dev.tandem.collectors;

import dev.tandem.engine.observation.ObservationSink;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Objects;

/**
 * One telemetry path's OTLP receiver: {@code POST /v1/traces} and {@code /v1/metrics}, in
 * protobuf or JSON, optionally gzipped, and when {@link PathSettings#grpcPort()} is set the OTLP
 * gRPC trace and metrics services on that port; turned into heartbeat, telemetry, probe and
 * replication observations for the engine. Each receiver is its own verticle with its own HTTP server and
 * worker pool, so that one path's trouble (a flood, a bad client, a crash) stays on that path.
 *
 * <p>Give every path the same {@link SpanDeduplicator} and {@link CumulativeSeries} so that
 * telemetry arriving over both paths is counted once.
 */
public final class OtlpHttpReceiver {

  private final PathSettings settings;
  private final Vertx vertx;
  private final ReceiverStats stats;
  private final OtlpHttpVerticle verticle;
  private Future<Integer> started;
  private String deploymentId;

  private OtlpHttpReceiver(PathSettings settings, Vertx vertx, ObservationSink sink, Clock clock,
      SpanDeduplicator deduplicator, CumulativeSeries cumulative) {
    this.settings = settings;
    this.vertx = vertx;
    this.stats = new ReceiverStats();
    ExportProcessor processor = null;
    if (sink != null) {
      OtlpTranslator translator = new OtlpTranslator(settings, clock, sink, deduplicator, cumulative, stats);
      processor = new ExportProcessor(settings.maxBodyBytes(), translator);
    }
    this.verticle = new OtlpHttpVerticle(settings, processor, stats);
  }

  /** A receiver with its own span and series memories (fine for a single path). */
  public static OtlpHttpReceiver create(PathSettings settings, Vertx vertx, ObservationSink sink, Clock clock) {
    Objects.requireNonNull(clock, "clock");
    return create(settings, vertx, sink, clock, SpanDeduplicator.create(clock), CumulativeSeries.create(clock));
  }

  /**
   * A receiver sharing span and series memories with the other paths.
   *
   * @param sink receives observations from worker threads; must be thread-safe and never block
   */
  public static OtlpHttpReceiver create(PathSettings settings, Vertx vertx, ObservationSink sink, Clock clock,
      SpanDeduplicator deduplicator, CumulativeSeries cumulative) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(deduplicator, "deduplicator");
    Objects.requireNonNull(cumulative, "cumulative");
    return new OtlpHttpReceiver(settings, vertx, sink, clock, deduplicator, cumulative);
  }

  /**
   * For load measurements only: a receiver that checks headers, tokens and sizes, gathers every
   * body and answers an empty success without decoding or translating anything. Its throughput
   * is the transport's ceiling, against which the real pipeline is measured. Never wire it in a
   * server: it accepts data and drops it.
   */
  public static OtlpHttpReceiver createDiscarding(PathSettings settings, Vertx vertx) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(vertx, "vertx");
    return new OtlpHttpReceiver(settings, vertx, null, null, null, null);
  }

  /**
   * Binds and starts serving; completes with the bound OTLP/HTTP port (the gRPC port, when the
   * path has one, is {@link #grpcPort()} by then). A receiver starts once.
   */
  public synchronized Future<Integer> start() {
    if (started != null) {
      return Future.failedFuture(new IllegalStateException("path " + settings.id() + ": receiver already started"));
    }
    started = vertx.deployVerticle(verticle).map(id -> {
      synchronized (this) {
        deploymentId = id;
      }
      return verticle.port();
    });
    return started;
  }

  /**
   * Stops serving and releases the port and the worker pool, after a start still under way has
   * finished. Stopping a stopped (or never started) receiver succeeds.
   */
  public synchronized Future<Void> stop() {
    if (started == null) {
      return Future.succeededFuture();
    }
    return started.transform(ignored -> {
      String id;
      synchronized (this) {
        id = deploymentId;
        deploymentId = null;
      }
      return id == null ? Future.<Void>succeededFuture() : vertx.undeploy(id);
    });
  }

  /** The bound port once started, else -1. */
  public int port() {
    return verticle.port();
  }

  /** The bound OTLP/gRPC port once started, else -1 (also when the path serves no gRPC). */
  public int grpcPort() {
    return verticle.grpcPort();
  }

  /** The path's bound between receiving and translating (tests watch it fill). */
  IntakeQueue intake() {
    return verticle.intake();
  }

  public PathSettings settings() {
    return settings;
  }

  public ReceiverStats stats() {
    return stats;
  }
}
