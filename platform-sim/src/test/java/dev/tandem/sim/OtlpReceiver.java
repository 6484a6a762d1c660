package dev.tandem.sim;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A tiny OTLP/HTTP protobuf receiver that keeps what it decodes, stamped with its arrival. */
final class OtlpReceiver {
  record Received<T>(long arrivedNanos, T request) {}

  /** A span with the resource it came from. */
  record ReceivedSpan(Resource resource, Span span) {
    String resourceAttribute(String key) {
      return stringValue(resource.getAttributesList(), key);
    }

    String attribute(String key) {
      return stringValue(span.getAttributesList(), key);
    }

    long longAttribute(String key) {
      return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key))
          .mapToLong(kv -> kv.getValue().getIntValue()).findFirst().orElse(-1);
    }
  }

  /** A gauge point with the resource and metric it came from. */
  record ReceivedPoint(Resource resource, Metric metric, NumberDataPoint point) {
    String resourceAttribute(String key) {
      return stringValue(resource.getAttributesList(), key);
    }

    String attribute(String key) {
      return stringValue(point.getAttributesList(), key);
    }
  }

  final List<Received<ExportTraceServiceRequest>> traces = new CopyOnWriteArrayList<>();
  final List<Received<ExportMetricsServiceRequest>> metrics = new CopyOnWriteArrayList<>();
  private HttpServer server;

  Future<OtlpReceiver> start(Vertx vertx) {
    return vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(body -> {
          long now = System.nanoTime();
          try {
            if (req.path().equals("/v1/traces")) {
              traces.add(new Received<>(now, ExportTraceServiceRequest.parseFrom(body.getBytes())));
            } else if (req.path().equals("/v1/metrics")) {
              metrics.add(new Received<>(now, ExportMetricsServiceRequest.parseFrom(body.getBytes())));
            } else {
              req.response().setStatusCode(404).end();
              return;
            }
            req.response().setStatusCode(200).putHeader("Content-Type", "application/x-protobuf").end();
          } catch (Exception e) {
            req.response().setStatusCode(400).end();
          }
        }))
        .listen(0, "127.0.0.1")
        .map(s -> {
          server = s;
          return this;
        });
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  List<ReceivedSpan> spans() {
    return traces.stream()
        .flatMap(r -> r.request().getResourceSpansList().stream())
        .flatMap(rs -> rs.getScopeSpansList().stream()
            .flatMap(ss -> ss.getSpansList().stream())
            .map(span -> new ReceivedSpan(rs.getResource(), span)))
        .toList();
  }

  List<ReceivedPoint> points(String metricName) {
    return metrics.stream()
        .flatMap(r -> r.request().getResourceMetricsList().stream())
        .flatMap(rm -> rm.getScopeMetricsList().stream()
            .flatMap(sm -> sm.getMetricsList().stream())
            .filter(m -> m.getName().equals(metricName))
            .flatMap(m -> numberPoints(m).stream().map(p -> new ReceivedPoint(rm.getResource(), m, p))))
        .toList();
  }

  List<String> metricNames() {
    return metrics.stream()
        .flatMap(r -> r.request().getResourceMetricsList().stream())
        .flatMap(rm -> rm.getScopeMetricsList().stream())
        .flatMap(sm -> sm.getMetricsList().stream())
        .map(Metric::getName)
        .distinct()
        .toList();
  }

  long metricRequestsAfter(long nanos) {
    return metrics.stream().filter(r -> r.arrivedNanos() > nanos).count();
  }

  long traceRequestsAfter(long nanos) {
    return traces.stream().filter(r -> r.arrivedNanos() > nanos).count();
  }

  private static List<NumberDataPoint> numberPoints(Metric metric) {
    if (metric.hasGauge()) {
      return metric.getGauge().getDataPointsList();
    }
    if (metric.hasSum()) {
      return metric.getSum().getDataPointsList();
    }
    return List.of();
  }

  static String stringValue(List<KeyValue> attributes, String key) {
    return attributes.stream().filter(kv -> kv.getKey().equals(key))
        .map(kv -> kv.getValue().getStringValue()).findFirst().orElse(null);
  }
}
