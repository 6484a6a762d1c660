package dev.tandem.bench.engine;

import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.observation.ObservationCodec;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.replay.Replay;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import dev.tandem.engine.verdict.ObserverIdentity;
import java.io.BufferedReader;
import java.io.StringReader;
import java.io.Writer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Replay throughput, JSON parsing included: 100 SLOs (one per journey) x 2 clouds x 3 vantages,
 * probe observations every 10 s of virtual time, 1% failing. Prints observations per second for
 * several rounds (the first ones warm the JIT up).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.tandem.bench.engine.ReplayThroughput [observations]}
 */
public final class ReplayThroughput {
  private ReplayThroughput() {}

  public static void main(String[] args) throws Exception {
    int observations = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    List<String> clouds = List.of("primary", "secondary");
    List<String> vantages = List.of("ext-1", "in-primary", "in-secondary");
    List<String> journeys = new ArrayList<>();
    List<SloSpec> slos = new ArrayList<>();
    for (int j = 0; j < 100; j++) {
      String journey = "journey-" + j;
      journeys.add(journey);
      slos.add(new SloSpec("slo-" + j, "slo-" + j, "svc", SloWindow.rolling(Duration.ofDays(28)),
          BudgetingMethod.OCCURRENCES, new BigDecimal("0.999"), null, null,
          new Selector(Selector.Source.PROBE, Map.of(Selector.JOURNEY, journey)), null, null));
    }
    EngineSpec spec = new EngineSpec(new ObserverIdentity("bench", "outside"), clouds,
        List.of(new DomainSpec("order-platform", "primary", "secondary", 60, "db.replication.lag",
            journeys, List.of())),
        List.of(new VantageSpec("ext-1", "third-party", "eu"), new VantageSpec("in-primary", "primary", ""),
            new VantageSpec("in-secondary", "secondary", "")),
        List.of(new PathSpec("path-a", "primary"), new PathSpec("path-b", "secondary")),
        new EngineSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), 2, Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofSeconds(60)));

    ObservationCodec codec = new ObservationCodec();
    StringBuilder log = new StringBuilder(observations * 200);
    Instant t = Instant.parse("2026-11-26T00:00:00Z");
    int n = 0;
    long seq = 0;
    outer:
    while (true) {
      for (String journey : journeys) {
        for (String cloud : clouds) {
          for (String vantage : vantages) {
            boolean ok = (seq++ % 100) != 0;
            log.append(codec.encode(new ProbeObservation(t, "run-" + seq, journey, "step-1", cloud, vantage, ok,
                40 + seq % 50, ok ? null : "status 503, expected [201]"))).append('\n');
            if (++n >= observations) {
              break outer;
            }
          }
        }
      }
      t = t.plusSeconds(10);
    }
    String text = log.toString();
    System.out.printf(Locale.ROOT, "log: %,d observations, %,d MiB, %s of virtual time%n", n,
        text.length() / (1 << 20), Duration.between(Instant.parse("2026-11-26T00:00:00Z"), t));
    Replay replay = new Replay(spec, slos);
    // CPU time of the replaying thread as well as wall time: on a shared machine the first says
    // what the code costs, the second what the machine gave it.
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    for (int round = 1; round <= rounds; round++) {
      long start = System.nanoTime();
      long cpuStart = threads.getCurrentThreadCpuTime();
      Replay.Summary s = replay.run(new BufferedReader(new StringReader(text), 1 << 16), Writer.nullWriter(), x -> { });
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      System.out.printf(Locale.ROOT, "round %d: %,d observations in %.2f s = %,.0f observations/s; %.2f s of CPU = %,.0f"
          + " observations per CPU second (%d verdict changes, %d SLO alert changes)%n",
          round, s.observations(), seconds, s.observations() / seconds, cpu, s.observations() / cpu,
          s.verdictChanges(), s.sloAlertChanges());
    }
  }
}
