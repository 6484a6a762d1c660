package dev.tandem.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.budget.MaintenanceWindow;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.observation.TelemetryObservation;
import dev.tandem.engine.replay.VirtualClock;
import dev.tandem.engine.slo.BudgetingMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The counters the generated rules read count exactly what the engine counted into the budget. */
class SloEventCountsTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private final VirtualClock clock = new VirtualClock(T0);
  private final SloEngine engine = new SloEngine(List.of(PrometheusRulesTest.slo("orders", Duration.ofDays(28),
      "0.999", BudgetingMethod.OCCURRENCES)), List.of("primary", "secondary"), clock);

  private void spans(Instant at, String cloud, long good, long total) {
    engine.accept(new TelemetryObservation(at, "path-a", cloud, "order-service", "POST /orders", "span", good,
        total, null));
  }

  @Test
  void eventCountsMatchTheBudgetPerCloudAndOutcome() {
    spans(T0, "primary", 95, 100);
    spans(T0, "primary", 10, 10);
    spans(T0, "secondary", 7, 7);
    spans(T0, "elsewhere", 1, 5);
    assertThat(engine.events("orders", "primary", true)).isEqualTo(105);
    assertThat(engine.events("orders", "primary", false)).isEqualTo(5);
    assertThat(engine.events("orders", "secondary", false)).isZero();
    assertThat(engine.events("orders", "elsewhere", false)).isZero();
    var status = engine.status("orders", "primary").orElseThrow();
    assertThat(status.total()).isEqualTo(engine.events("orders", "primary", true)
        + engine.events("orders", "primary", false));
  }

  @Test
  void excludedAndTooLateEventsAreNotCounted() {
    engine.addMaintenance(new MaintenanceWindow("mw-1", "orders", "primary", T0, T0.plus(Duration.ofMinutes(10)),
        "upgrade"));
    spans(T0, "primary", 0, 1000);
    spans(T0.minus(Duration.ofDays(60)), "secondary", 0, 50);
    assertThat(engine.events("orders", "primary", false)).isZero();
    assertThat(engine.events("orders", "secondary", false)).isZero();
    assertThat(engine.status("orders", "secondary").orElseThrow().total()).isZero();
  }
}
