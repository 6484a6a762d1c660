package dev.tandem.bench.synthetics;

import dev.tandem.engine.yaml.Problems;
import dev.tandem.sim.PlatformSimulator;
import dev.tandem.sim.SimSettings;
import dev.tandem.synthetics.Journey;
import dev.tandem.synthetics.JourneyParser;
import dev.tandem.synthetics.ProbeNode;
import dev.tandem.synthetics.ProbeSettings;
import dev.tandem.synthetics.ProbeTelemetry;
import dev.tandem.synthetics.Vantage;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Schedule accuracy and runner overhead of the synthetics, against the simulator on loopback:
 * 50 journeys x 2 clouds x 3 vantages at a 5 s interval, every run's trace exported over OTLP to
 * two local receivers (dual-homed), as in production.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tandem.bench.synthetics.ScheduleAccuracy \
 *     [durationSeconds=600] [intervalSeconds=5] [journeysDir=synthetics/src/test/resources/journeys]
 * </pre>
 *
 * Prints the mean, p50, p99 and max deviation of each run's start from its planned time (the
 * first interval is warm-up and left out), missed schedules and shed runs, and the CPU time per
 * step: of the probe event loop alone, and of every thread the probe side created (event loop,
 * span processors and the OTLP exporters' HTTP client). The simulator and the receivers run on
 * their own Vert.x instances, started before the probe side, so their threads are not counted.
 */
public final class ScheduleAccuracy {
  private ScheduleAccuracy() {}

  public static void main(String[] args) throws Exception {
    long durationSeconds = args.length > 0 ? Long.parseLong(args[0]) : 600;
    long intervalSeconds = args.length > 1 ? Long.parseLong(args[1]) : 5;
    Path journeysDir = Path.of(args.length > 2 ? args[2] : "synthetics/src/test/resources/journeys");

    Vertx simVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    PlatformSimulator sim = PlatformSimulator.create(simVertx, SimSettings.builder()
        .maxOrders(100_000).initialStock(1_000_000).build());
    join(sim.start());
    Vertx receiverVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    AtomicLong receivedSpans = new AtomicLong();
    HttpServer pathA = join(receiver(receiverVertx, receivedSpans));
    HttpServer pathB = join(receiver(receiverVertx, receivedSpans));

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Set<Long> before = new HashSet<>();
    Arrays.stream(threads.getAllThreadIds()).forEach(before::add);

    List<Journey> journeys = journeys(journeysDir);
    List<Vantage> vantages = List.of(new Vantage("ext-1", "third-party", "eu"),
        new Vantage("in-primary", "primary", "eu-west"), new Vantage("in-secondary", "secondary", "eu-central"));
    Vertx probeVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    long warmupEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(intervalSeconds);
    long[] deviations = new long[1 << 20];
    int[] count = {0};
    AtomicLong steps = new AtomicLong();
    AtomicLong failedSteps = new AtomicLong();
    ProbeNode node = ProbeNode.builder(probeVertx)
        .journeys(journeys).vantages(vantages)
        .targets(Map.of("primary", sim.baseUrl("primary"), "secondary", sim.baseUrl("secondary")))
        .roles(() -> Map.of(sim.active(), "active", sim.standby(), "standby"))
        .settings(ProbeSettings.ofSeconds(intervalSeconds, 5).withMaxInFlight(128))
        .otlpEndpoint(new ProbeTelemetry.Endpoint("http://127.0.0.1:" + pathA.actualPort()))
        .otlpEndpoint(new ProbeTelemetry.Endpoint("http://127.0.0.1:" + pathB.actualPort()))
        .startListener((journey, vantage, cloud, planned, started) -> {
          if (started >= warmupEnds && count[0] < deviations.length) {
            deviations[count[0]++] = started - planned;
          }
        })
        .sink(o -> {
          steps.incrementAndGet();
          if (o instanceof dev.tandem.engine.observation.ProbeObservation p && !p.ok()) {
            if (failedSteps.incrementAndGet() <= 5) {
              System.out.println("failed step: " + p.journey() + "/" + p.step() + " " + p.cloud() + " "
                  + p.vantage() + ": " + p.error());
            }
          }
        })
        .build();
    // The node's scheduler runs on the probe Vert.x's only event loop: find that thread.
    long[] loopThread = {-1};
    join(probeVertx.executeBlocking(() -> 0)); // threads exist
    Future<Void> probe = Future.future(p -> probeVertx.getOrCreateContext().runOnContext(v -> {
      loopThread[0] = Thread.currentThread().getId();
      p.complete();
    }));
    join(probe);
    System.out.printf("schedules: %d journeys x %d vantages x 2 clouds = %d, interval %d s, run %d s%n",
        journeys.size(), vantages.size(), journeys.size() * vantages.size() * 2, intervalSeconds, durationSeconds);
    long cpu0 = threads.getThreadCpuTime(loopThread[0]);
    join(node.start());
    Thread.sleep(TimeUnit.SECONDS.toMillis(durationSeconds)); // the benchmark's own duration, not synchronisation
    long cpuLoop = threads.getThreadCpuTime(loopThread[0]) - cpu0;
    long cpuProbeSide = 0;
    for (long id : threads.getAllThreadIds()) {
      if (!before.contains(id)) {
        long t = threads.getThreadCpuTime(id);
        cpuProbeSide += Math.max(0, t);
      }
    }

    long[] d = Arrays.copyOf(deviations, count[0]);
    Arrays.sort(d);
    double mean = Arrays.stream(d).average().orElse(0) / 1e6;
    System.out.printf("starts measured (after warm-up): %d%n", d.length);
    System.out.printf("start deviation from plan: mean %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        mean, pct(d, 0.50), pct(d, 0.99), d.length == 0 ? 0 : d[d.length - 1] / 1e6);
    System.out.printf("runs: started %d, completed %d, failed %d; missed schedules %d; shed %d%n",
        node.scheduler().startedRuns(), node.scheduler().completedRuns(), node.scheduler().failedRuns(),
        node.scheduler().missedSchedules(), node.scheduler().shedRuns());
    System.out.printf("steps: %d (%d failed); spans received over OTLP (both paths): %d; export failures %d/%d%n",
        steps.get(), failedSteps.get(), receivedSpans.get(), node.telemetry().failedSpans(0),
        node.telemetry().failedSpans(1));
    System.out.printf("CPU per step: probe event loop %.1f us; whole probe side incl. OTLP export %.1f us%n",
        cpuLoop / 1e3 / Math.max(1, steps.get()), cpuProbeSide / 1e3 / Math.max(1, steps.get()));
    System.out.printf("machine: %d cores, %s %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"), System.getProperty("java.version"));
    System.out.flush();
    join(node.stop());
    join(sim.stop());
    join(probeVertx.close());
    join(receiverVertx.close());
    join(simVertx.close());
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  /** 25 copies of order-to-invoice (active), 15 of stock-lookup (both), 10 of standby-readiness. */
  private static List<Journey> journeys(Path dir) throws Exception {
    Path tmp = Files.createTempDirectory("bench-journeys");
    List<Journey> out = new ArrayList<>();
    Map<String, Integer> copies = Map.of("order-to-invoice", 25, "stock-lookup", 15, "standby-readiness", 10);
    for (Map.Entry<String, Integer> e : copies.entrySet()) {
      String yaml = Files.readString(dir.resolve(e.getKey() + ".yaml"));
      for (int i = 0; i < e.getValue(); i++) {
        Path file = tmp.resolve(e.getKey() + "-" + i + ".yaml");
        Files.writeString(file, yaml.replace("journey: " + e.getKey(), "journey: " + e.getKey() + "-" + i));
        Problems problems = new Problems();
        out.add(JourneyParser.parse(file, problems)
            .orElseThrow(() -> new IllegalStateException(problems.toString())));
      }
    }
    return out;
  }

  private static Future<HttpServer> receiver(Vertx vertx, AtomicLong spans) {
    byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
    return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      try {
        ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(body.getBytes());
        export.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
            .forEach(ss -> spans.addAndGet(ss.getSpansCount())));
        req.response().putHeader("Content-Type", "application/x-protobuf").end(Buffer.buffer(ok));
      } catch (Exception e) {
        req.response().setStatusCode(400).end();
      }
    })).listen(0, "127.0.0.1");
  }

  private static <T> T join(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
