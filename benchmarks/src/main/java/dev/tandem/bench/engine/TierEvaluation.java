package dev.tandem.bench.engine;

import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.observation.TelemetryObservation;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One engine tick for 10,000 SLO x cloud series (5,000 SLOs x 2 clouds): every tier of every
 * series evaluated, with traffic in every window. Single-threaded, so the score is one core's.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TierEvaluation}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TierEvaluation {
  private SloEngine engine;

  @Setup
  public void setUp() {
    Instant t0 = Instant.parse("2026-11-26T00:00:00Z");
    List<SloSpec> specs = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      specs.add(new SloSpec("slo-" + i, "slo-" + i, "svc", SloWindow.rolling(Duration.ofDays(28)),
          BudgetingMethod.OCCURRENCES, new BigDecimal("0.999"), null, null,
          new Selector(Selector.Source.SPAN, Map.of(Selector.SERVICE, "service-" + i)), null, null));
    }
    Clock clock = Clock.fixed(t0.plus(Duration.ofDays(3)), ZoneOffset.UTC);
    engine = new SloEngine(specs, List.of("primary", "secondary"), clock);
    // Traffic over three days so that every window holds data; 2% errors keep tiers busy.
    for (int i = 0; i < 5_000; i++) {
      for (String cloud : List.of("primary", "secondary")) {
        for (long minutes = 0; minutes < 3 * 24 * 60; minutes += 30) {
          engine.accept(new TelemetryObservation(t0.plus(Duration.ofMinutes(minutes)), "path-a", cloud,
              "service-" + i, "GET /", "span", 980, 1000));
        }
      }
    }
    System.out.printf("series: 10000, heap held by the engine's series: %,d bytes (%,d per series)%n",
        engine.heapBytes(), engine.heapBytes() / 10_000);
  }

  @Benchmark
  public Object evaluateEveryTier() {
    return engine.evaluate();
  }
}
