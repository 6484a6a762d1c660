package dev.tandem.bench.verdicts;

import dev.tandem.bench.demo.DemoConfig;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.config.Validation;
import dev.tandem.server.demo.LoopDemo;
import dev.tandem.server.demo.Scenario;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The whole failover loop, live and repeated: the demo's three observers, the failover controller,
 * the simulator and its customer traffic in this process, a healthy baseline, then the active
 * cloud fails as a whole. Each run prints what the demo prints: outage to switch, outage to the
 * first order-to-invoice journey completed on the new active (RTO), and the new active's
 * replication lag at the switch (RPO). Each run starts from fresh state.
 *
 * <p>Run from the repository root: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.tandem.bench.verdicts.FailoverLoopTimes [runs]} (the demo's timings: probes every 5 s,
 * hold-down 20 s, engine tick 5 s, controller poll 2 s).
 */
public final class FailoverLoopTimes {
  private FailoverLoopTimes() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    for (int run = 1; run <= runs; run++) {
      Path dir = Files.createTempDirectory("tandem-loop");
      Validation.Result valid = DemoConfig.copy(dir, yaml -> yaml);
      TandemConfig cfg = valid.config().get().withEphemeralPorts();
      Vertx vertx = Vertx.vertx();
      LoopDemo loop = LoopDemo.start(vertx, cfg, valid.journeys(), valid.sloSpecs(), Clock.systemUTC(),
          Map.of("primary", 0, "secondary", 0)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      loop.play(Scenario.CLOUD_OUTAGE, Scenario.FAULT_AFTER);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
      Optional<List<String>> figures = Optional.empty();
      while (figures.isEmpty() && System.nanoTime() < deadline) {
        // A benchmark's polling loop, not a test: the figures appear once the switch and the first
        // journey on the new active have both happened.
        Thread.sleep(500);
        figures = loop.figures();
      }
      System.out.printf("run %d of %d:%n", run, runs);
      if (figures.isEmpty()) {
        System.out.println("  no switch within 4 minutes of the start");
      } else {
        figures.get().forEach(l -> System.out.println("  " + l));
      }
      loop.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
