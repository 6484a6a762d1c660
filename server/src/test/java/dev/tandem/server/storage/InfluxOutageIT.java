package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.tandem.server.TandemNode;
import dev.tandem.server.TestConfigs;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.config.Validation;
import dev.tandem.server.it.TandemContainers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/**
 * A running Tandem node (collectors, probes, SLO engine, verdicts, InfluxDB sink) loses its real
 * InfluxDB for a while (container stopped, then started again on the same host port): every
 * point the sink accepted is in the database afterwards, counted per measurement, and ingestion
 * and verdicts went on during the outage.
 *
 * <p>The outage lasts {@value #OUTAGE_PROPERTY} seconds (default 60), e.g.
 * {@code -Dtandem.it.influxOutageSeconds=20} for a quicker run.
 */
class InfluxOutageIT {
  static final String OUTAGE_PROPERTY = "tandem.it.influxOutageSeconds";
  /** A field every point of the measurement has, to count points with {@code count()}. */
  private static final Map<String, String> COUNTED_FIELD = new LinkedHashMap<>();

  static {
    COUNTED_FIELD.put("tandem_probe", "latency_ms");
    COUNTED_FIELD.put("tandem_path", "heartbeat");
    COUNTED_FIELD.put("tandem_replication", "lag_seconds");
    COUNTED_FIELD.put("tandem_sli", "total");
    COUNTED_FIELD.put("tandem_verdict", "code");
    COUNTED_FIELD.put("tandem_cloud", "healthy");
    COUNTED_FIELD.put("tandem_slo", "total");
    COUNTED_FIELD.put("tandem_slo_burn", "burn_rate");
    COUNTED_FIELD.put("tandem_slo_tier", "firing");
  }

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();
  private TandemContainers.InfluxDbContainer influx;
  private Vertx vertx;
  private TandemNode node;
  private ScheduledExecutorService traffic;
  private SdkTracerProvider tracing;

  @AfterEach
  void tearDown() throws Exception {
    if (traffic != null) {
      traffic.shutdownNow();
    }
    if (tracing != null) {
      tracing.close();
    }
    if (node != null) {
      node.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close();
    }
    if (influx != null) {
      influx.stop();
    }
  }

  @Test
  void anInfluxOutageLosesNothingAndStopsNothing() throws Exception {
    TandemContainers.requireDocker();
    Duration outage = Duration.ofSeconds(Long.getLong(OUTAGE_PROPERTY, 60));
    int port = TandemContainers.freeLoopbackPort();
    // A fixed host port: Tandem's configured URL must stay valid when the container comes back.
    influx = TandemContainers.influxdb().withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
        new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", port),
            ExposedPort.tcp(TandemContainers.INFLUXDB_PORT))));
    influx.start();
    String url = "http://127.0.0.1:" + port;

    Validation.Result loaded = TestConfigs.load(TestConfigs.fastDemo(dir, ""));
    TandemConfig config = loaded.config().orElseThrow().withInflux(new TandemConfig.Influx(url, "tandem_outage"));
    vertx = Vertx.vertx();
    // Synthetics run against dead targets: every probe step fails fast, which still makes points.
    node = TandemNode.create(vertx, config, loaded.journeys(), loaded.sloSpecs(), Clock.systemUTC(),
        TandemNode.Overrides.none());
    node.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    MeterRegistry registry = node.registry();
    startTraffic(node.pathPorts().get("path-a"));

    await().atMost(Duration.ofSeconds(60)).until(() -> counter(registry, "tandem.influx.points.written") > 0
        && accepted(registry, "tandem_slo_burn") > 0 && spansAccepted(registry) > 0);

    // The outage.
    DockerClient docker = DockerClientFactory.instance().client();
    docker.stopContainerCmd(influx.getContainerId()).withTimeout(10).exec();
    assertThat(ping(url)).as("InfluxDB is down").isFalse();
    // Ingestion, probes and verdicts must go on all through the outage. On a shared, busy machine
    // their rates are not the point, so rather than rates against the wall clock, each count must
    // grow in each half of the outage, and the engine's latest verdict must be newer at the end
    // than at the half (both times are the engine's own).
    Duration firstHalf = outage.dividedBy(2);
    long[] before = liveCounts(registry);
    long writtenBefore = (long) counter(registry, "tandem.influx.points.written");
    stayUpWhileInfluxIsDown(url, firstHalf);
    long[] half = liveCounts(registry);
    Instant verdictAtHalf = node.engine().current("order-platform").orElseThrow().generatedAt();
    stayUpWhileInfluxIsDown(url, outage.minus(firstHalf));
    long[] end = liveCounts(registry);
    Instant verdictAtEnd = node.engine().current("order-platform").orElseThrow().generatedAt();

    String[] what = {"the collectors kept accepting spans", "verdicts (one per engine tick) kept coming",
        "probes kept running"};
    for (int i = 0; i < what.length; i++) {
      assertThat(half[i]).as("%s in the first half of the outage", what[i]).isGreaterThan(before[i]);
      assertThat(end[i]).as("%s in the second half of the outage", what[i]).isGreaterThan(half[i]);
    }
    assertThat(verdictAtEnd).as("the engine ticked in the second half of the outage").isAfter(verdictAtHalf);
    assertThat(counter(registry, "tandem.influx.points.spilled")).as("points went to the spill").isPositive();
    assertThat(gauge(registry, "tandem.influx.spill.bytes")).isPositive();
    // At most a request that was in flight when the container stopped.
    assertThat((long) counter(registry, "tandem.influx.points.written") - writtenBefore).isLessThan(5_000);

    // InfluxDB is back on the same port; the spill drains.
    docker.startContainerCmd(influx.getContainerId()).exec();
    await().atMost(Duration.ofSeconds(60)).until(() -> ping(url));
    await().atMost(Duration.ofSeconds(120)).until(() -> gauge(registry, "tandem.influx.spill.bytes") == 0);

    // Stop the traffic and the node: what is still in memory goes to the database at close.
    traffic.shutdownNow();
    traffic.awaitTermination(10, TimeUnit.SECONDS);
    tracing.close();
    tracing = null;
    node.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    node = null;

    assertThat(dropped(registry)).as("nothing dropped").isZero();
    assertThat(gauge(registry, "tandem.influx.spill.bytes")).isZero();
    long total = 0;
    for (Map.Entry<String, String> m : COUNTED_FIELD.entrySet()) {
      long accepted = accepted(registry, m.getKey());
      total += accepted;
      long stored = count(url, "tandem_outage", m.getKey(), m.getValue());
      assertThat(stored).as("points of %s in InfluxDB vs accepted by the sink", m.getKey()).isEqualTo(accepted);
    }
    for (String m : new String[] {"tandem_probe", "tandem_path", "tandem_verdict", "tandem_cloud", "tandem_slo",
        "tandem_slo_burn", "tandem_slo_tier"}) {
      assertThat(accepted(registry, m)).as("%s was written during the run", m).isPositive();
    }
    assertThat(total).isGreaterThan(outage.toSeconds() * 10);
    assertThat(counter(registry, "tandem.influx.points.written")).isGreaterThanOrEqualTo(total);
  }

  /** Spans accepted, verdict points and probe points accepted by the sink. */
  private static long[] liveCounts(MeterRegistry registry) {
    return new long[] {spansAccepted(registry), accepted(registry, "tandem_verdict"), accepted(registry, "tandem_probe")};
  }

  /** The fixed wait is the point here: during it, Tandem must stay ready and InfluxDB stay down. */
  private void stayUpWhileInfluxIsDown(String url, Duration span) {
    await().during(span).atMost(span.plusSeconds(30)).pollInterval(Duration.ofSeconds(1))
        .until(() -> ready(node.apiPort()) && !ping(url));
  }

  /** order-service answers POST /orders: 20 spans every 200 ms, one in ten an error. */
  private void startTraffic(int otlpPort) {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + otlpPort + "/v1/traces").build();
    tracing = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "order-service")))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(200)).build())
        .build();
    Tracer tracer = tracing.get("influx-outage-it");
    AtomicLong n = new AtomicLong();
    traffic = Executors.newSingleThreadScheduledExecutor();
    traffic.scheduleAtFixedRate(() -> {
      for (int i = 0; i < 20; i++) {
        var span = tracer.spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER).startSpan();
        if (n.incrementAndGet() % 10 == 0) {
          span.setStatus(StatusCode.ERROR);
        }
        span.end();
      }
    }, 0, 200, TimeUnit.MILLISECONDS);
  }

  private static double counter(MeterRegistry registry, String name) {
    double sum = 0;
    for (Counter c : registry.find(name).counters()) {
      sum += c.count();
    }
    return sum;
  }

  private static long accepted(MeterRegistry registry, String measurement) {
    Counter c = registry.find("tandem.influx.points.accepted").tag("measurement", measurement).counter();
    return c == null ? 0 : (long) c.count();
  }

  private static long dropped(MeterRegistry registry) {
    return (long) counter(registry, "tandem.influx.points.dropped");
  }

  private static double gauge(MeterRegistry registry, String name) {
    return registry.get(name).gauge().value();
  }

  private static long spansAccepted(MeterRegistry registry) {
    double sum = 0;
    for (FunctionCounter c : registry.find("tandem.collector.spans.accepted").functionCounters()) {
      sum += c.count();
    }
    return (long) sum;
  }

  private boolean ping(String url) {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url + "/ping"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 204;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private boolean ready(int apiPort) throws Exception {
    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/readyz"))
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
    return r.statusCode() == 200;
  }

  private long count(String baseUrl, String db, String measurement, String field) throws Exception {
    String q = "SELECT count(\"" + field + "\") FROM \"" + measurement + "\"";
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/query?db=" + db
        + "&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode value = json.readTree(r.body()).at("/results/0/series/0/values/0/1");
    return value.isMissingNode() ? 0 : value.asLong();
  }
}
