package dev.tandem.bench.influx;

import dev.tandem.engine.budget.BurnRateTier;
import dev.tandem.engine.budget.Durations;
import dev.tandem.engine.budget.SloStatus;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.verdict.CloudAssessment;
import dev.tandem.engine.verdict.Fault;
import dev.tandem.engine.verdict.Health;
import dev.tandem.engine.verdict.ObserverIdentity;
import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.engine.verdict.Verdict;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.storage.InfluxLimits;
import dev.tandem.server.storage.InfluxSink;
import dev.tandem.server.storage.InfluxTagValues;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The InfluxDB sink against a real InfluxDB: write throughput (points per second, the sink's own
 * batching writer, default limits) and the sink's CPU share at the demo's load and at multiples
 * of it.
 *
 * <p>The demo's load, from {@code examples/demo}: 3 vantages probe 3 journeys every 5 s (13 step
 * results per vantage and round: 7.8 points/s), 2 path heartbeats a second, a replication sample
 * a second, and per 5 s engine tick 1 verdict, 2 cloud points and the state of 2 SLOs x 2 clouds
 * (1 + 7 burn windows + 4 tiers each): about 21 points per second.
 *
 * <p>CPU: the writer thread's CPU time over wall time (share of one core), the producing thread's
 * (formatting and enqueueing, what {@code accept()} costs the collectors' event loops), and the
 * whole process's (JIT and GC included).
 *
 * <p>Run (from the repository root, Docker running):
 * {@code java -cp benchmarks/target/benchmarks.jar dev.tandem.bench.influx.InfluxSinkLoad [--url URL]
 * [--points 1000000] [--seconds 60] [--scales 1,100,1000]} ({@code --points 0} skips the
 * throughput round). Without {@code --url} it starts
 * {@code tandem/influxdb:debian} (or {@code -Dtandem.image.influxdb=...}) with the docker CLI.
 */
public final class InfluxSinkLoad {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private InfluxSinkLoad() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    long points = Long.parseLong(opts.getOrDefault("points", "1000000"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "60"));
    List<Integer> scales = new ArrayList<>();
    for (String s : opts.getOrDefault("scales", "1,100,1000").split(",")) {
      scales.add(Integer.parseInt(s.trim()));
    }
    String container = null;
    String url = opts.get("url");
    if (url == null) {
      int port = freePort();
      String image = System.getProperty("tandem.image.influxdb", "tandem/influxdb:debian");
      container = docker("run", "-d", "--rm", "-p", "127.0.0.1:" + port + ":8086",
          "-e", "INFLUXDB_REPORTING_DISABLED=true", "-e", "INFLUXDB_HTTP_AUTH_ENABLED=false", image).trim();
      url = "http://127.0.0.1:" + port;
      System.out.printf("started %s (%s) at %s%n", image, container.substring(0, 12), url);
    }
    try {
      awaitPing(url);
      System.out.printf(Locale.ROOT, "machine: %d cores, %s %s%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.vm.name"), System.getProperty("java.version"));
      // A short warm-up round, then the measured one.
      if (points > 0) {
        throughput(url, "tandem_bench_warmup", Math.min(points, 200_000), false);
        throughput(url, "tandem_bench", points, true);
      }
      for (int scale : scales) {
        demoLoad(url, "tandem_bench_demo_x" + scale, scale, seconds);
      }
    } finally {
      if (container != null) {
        docker("rm", "-f", container);
      }
    }
  }

  /** Probe points as fast as the sink takes them without spilling (the queue kept below half). */
  private static void throughput(String url, String db, long points, boolean print) throws Exception {
    Path spill = Files.createTempDirectory("influx-bench-spill");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    InfluxSink sink = InfluxSink.start(new TandemConfig.Influx(url, db), spill, InfluxLimits.defaults(), registry,
        Clock.systemUTC(), InfluxTagValues.unrestricted());
    Thread writer = sink.writerThread();
    Instant base = Instant.parse("2026-11-26T00:00:00Z");
    String[] journeys = {"order-to-invoice", "stock-lookup", "standby-readiness"};
    String[] vantages = {"ext-1", "in-primary", "in-secondary"};
    String[] clouds = {"primary", "secondary"};
    long cpu0 = OS.getProcessCpuTime();
    long writer0 = THREADS.getThreadCpuTime(writer.getId());
    long t0 = System.nanoTime();
    for (long i = 0; i < points; i++) {
      while (sink.pending() > 20_000) {
        Thread.onSpinWait();
      }
      int k = (int) (i % 18);
      sink.accept(new ProbeObservation(base.plusNanos(i * 1000), "run-" + i, journeys[k % 3], "step-" + (i % 6),
          clouds[(k / 3) % 2], vantages[k / 6], i % 100 != 0, 20 + i % 300, i % 100 != 0 ? null : "status 503"));
    }
    while (sink.written() < points && sink.failed() == 0) {
      Thread.onSpinWait();
    }
    long wall = System.nanoTime() - t0;
    long writerCpu = THREADS.getThreadCpuTime(writer.getId()) - writer0;
    long cpu = OS.getProcessCpuTime() - cpu0;
    double spilled = registry.get("tandem.influx.points.spilled").counter().count();
    sink.close();
    if (print) {
      System.out.printf(Locale.ROOT, "throughput: %,d probe points in %.2f s = %,.0f points/s written"
              + " (writer thread %.0f%% of a core, process %.0f%% of a core; spilled %.0f, dropped %d)%n",
          points, wall / 1e9, points / (wall / 1e9), 100.0 * writerCpu / wall, 100.0 * cpu / wall, spilled,
          sink.failed());
      System.out.printf(Locale.ROOT, "  writer CPU per point: %.2f us%n", writerCpu / 1e3 / points);
    }
  }

  /** The demo's mix at {@code scale} times its rate for {@code seconds}; CPU shares over that time. */
  private static void demoLoad(String url, String db, int scale, int seconds) throws Exception {
    Path spill = Files.createTempDirectory("influx-bench-spill");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    InfluxSink sink = InfluxSink.start(new TandemConfig.Influx(url, db), spill, InfluxLimits.defaults(), registry,
        Clock.systemUTC(), InfluxTagValues.unrestricted());
    Thread writer = sink.writerThread();
    List<SloStatus> statuses = sloStatuses();
    String[] journeys = {"order-to-invoice", "stock-lookup", "standby-readiness"};
    String[] vantages = {"ext-1", "in-primary", "in-secondary"};
    long producer0 = THREADS.getCurrentThreadCpuTime();
    long writer0 = THREADS.getThreadCpuTime(writer.getId());
    long cpu0 = OS.getProcessCpuTime();
    long t0 = System.nanoTime();
    long seq = 0;
    double probeDebt = 0;
    for (int tenth = 0; tenth < seconds * 10; tenth++) {
      // Every 100 ms: a tenth of a second's points, at distinct timestamps.
      Instant now = Instant.now();
      probeDebt += 0.78 * scale;
      for (; probeDebt >= 1; probeDebt--) {
        seq++;
        sink.accept(new ProbeObservation(now.plusNanos(seq % 1_000_000), "run-" + seq, journeys[(int) (seq % 3)],
            "step-" + (seq % 6), seq % 2 == 0 ? "primary" : "secondary", vantages[(int) (seq % 3)], seq % 50 != 0,
            20 + seq % 300, seq % 50 != 0 ? null : "status 503"));
      }
      // The scaled copies of per-second and per-tick points are spread over the second and the
      // tick, as many independent paths and domains would be (copy s in slice s mod 10, s mod 50).
      for (int s = tenth % 10; s < scale; s += 10) {
        sink.accept(new HeartbeatObservation(now.plusNanos(s), "path-a", "primary"));
        sink.accept(new HeartbeatObservation(now.plusNanos(s), "path-b", "secondary"));
        sink.accept(new ReplicationObservation(now.plusNanos(s), "order-platform-" + s, "secondary", 4.2));
      }
      for (int s = tenth % 50; s < scale; s += 50) {
        sink.verdict(verdict(now.plusNanos(s), "order-platform-" + s));
        sink.sloStatuses(statuses);
      }
      long next = t0 + (tenth + 1) * 100_000_000L;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
    long producerCpu = THREADS.getCurrentThreadCpuTime() - producer0;
    long accepted = 0;
    for (String m : InfluxSink.MEASUREMENTS) {
      accepted += sink.accepted(m);
    }
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (sink.written() < accepted && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    long wall = System.nanoTime() - t0;
    long writerCpu = THREADS.getThreadCpuTime(writer.getId()) - writer0;
    long cpu = OS.getProcessCpuTime() - cpu0;
    sink.close();
    System.out.printf(Locale.ROOT, "demo load x%d: %,d points in %.1f s (%.0f points/s); writer thread %.3f%% of a"
            + " core (%.1f us per point); accept() callers %.3f%% of a core (%.1f us per point); whole process"
            + " %.2f%% of a core; written %,d, dropped %d%n",
        scale, accepted, wall / 1e9, accepted / (wall / 1e9), 100.0 * writerCpu / wall, writerCpu / 1e3 / accepted,
        100.0 * producerCpu / wall, producerCpu / 1e3 / accepted, 100.0 * cpu / wall, sink.written(), sink.failed());
  }

  /** 2 SLOs x 2 clouds with the real tiers of a 28-day window (7 burn windows, 4 tiers). */
  private static List<SloStatus> sloStatuses() {
    List<SloStatus> out = new ArrayList<>();
    BigDecimal budget = new BigDecimal("0.01");
    for (String slo : new String[] {"order-submission-availability", "inventory-api-availability"}) {
      for (String cloud : new String[] {"primary", "secondary"}) {
        Map<String, Double> burn = new LinkedHashMap<>();
        List<SloStatus.TierState> tiers = new ArrayList<>();
        for (BurnRateTier t : BurnRateTier.forPeriod(Duration.ofDays(28))) {
          burn.put(Durations.format(t.longWindow()), 0.4);
          burn.put(Durations.format(t.shortWindow()), 0.3);
          tiers.add(new SloStatus.TierState(t.name(), t.severity(), Durations.format(t.longWindow()),
              Durations.format(t.shortWindow()), t.factor().toPlainString(), t.threshold(budget).toPlainString(),
              "2d", 0.4, 0.3, false));
        }
        out.add(new SloStatus(slo, cloud, "0.99", "28d", "Occurrences", 9_960, 10_000, 0.996, 0.6, 60, burn, tiers,
            null, 0));
      }
    }
    return out;
  }

  private static Verdict verdict(Instant at, String domain) {
    return new Verdict(domain, new ObserverIdentity("obs-bench", "primary"), at, at.plusSeconds(15),
        Recommendation.STAY, at.minusSeconds(600), "Stay on primary: it is healthy.",
        Map.of("primary", new CloudAssessment("active", Health.HEALTHY, Fault.NONE, List.of(), null, null, null),
            "secondary", new CloudAssessment("standby", Health.HEALTHY, Fault.NONE, List.of(), true, 4.2, 60L)));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void awaitPing(String url) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    HttpRequest ping = HttpRequest.newBuilder(URI.create(url + "/ping")).timeout(Duration.ofSeconds(2)).build();
    while (true) {
      try {
        if (HTTP.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 204) {
          return;
        }
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException("InfluxDB at " + url + " did not answer /ping within 60 s", e);
        }
      }
      Thread.sleep(200);
    }
  }

  private static String docker(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("docker");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }
}
