package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.engine.budget.SloStatus;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.SliObservation;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the sink formats, against a stand-in database. */
class InfluxSinkTest {
  @TempDir
  Path dir;

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final InfluxWriterTest.StandIn db = new InfluxWriterTest.StandIn();
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00.123456789Z");

  private InfluxSink sink() throws IOException {
    return InfluxSink.start(db, dir, InfluxLimits.defaults().withBatch(1_000, 100, Duration.ofMillis(10)), registry,
        Clock.fixed(T0, ZoneOffset.UTC), InfluxTagValues.of(Map.of("journey", List.of("order-to-invoice"),
            "slo", List.of("orders"), "cloud", List.of("primary"), "path", List.of("path-a"))), null);
  }

  @Test
  void tagValuesOutsideTheirClosedSetAreCollapsedAndCounted() throws IOException {
    try (InfluxSink sink = sink()) {
      sink.accept(new ProbeObservation(T0, "r1", "order-to-invoice", "submit", "primary", "ext-1", true, 84, null));
      sink.accept(new ProbeObservation(T0, "r2", "someone-elses-journey", "submit", "primary", "ext-1", false, 5,
          "status 503"));
      sink.accept(new SliObservation(T0, "orders", "primary", "path-z", 9, 10));
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.size() == 3);
    }
    assertThat(db.stored).containsExactly(
        "tandem_probe,cloud=primary,journey=order-to-invoice,result=ok,step=submit,vantage=ext-1"
            + " attempts=1i,latency_ms=84i,ok=true 1795687200123456789",
        "tandem_probe,cloud=primary,journey=_other,result=fail,step=submit,vantage=ext-1"
            + " attempts=1i,latency_ms=5i,ok=false 1795687200123456789",
        "tandem_sli,cloud=primary,path=_other,slo=orders good=9i,total=10i 1795687200123456789");
    String scrape = registry.scrape();
    assertThat(scrape).contains("tandem_influx_tag_values_collapsed_total{tag=\"journey\"} 1.0")
        .contains("tandem_influx_tag_values_collapsed_total{tag=\"path\"} 1.0");
  }

  @Test
  void sloStateLeavesOutWhatIsNotFiniteAndKeepsIntegerFieldsIntegers() throws IOException {
    Map<String, Double> burn = new LinkedHashMap<>();
    burn.put("5m", 2.5);
    burn.put("1h", Double.NaN);
    try (InfluxSink sink = sink()) {
      sink.sloStatuses(List.of(new SloStatus("orders", "primary", "0.99", "28d", "Occurrences", 0, 0, null,
          Double.NaN, 0, burn, List.of(new SloStatus.TierState("page-fast", "page", "1h", "5m", "13.44", "0.1344",
          "2d", 0, 0, false)), null, 0)));
      await().atMost(Duration.ofSeconds(10)).until(() -> db.stored.size() == 3);
      assertThat(sink.accepted("tandem_slo_burn")).isEqualTo(1);
    }
    assertThat(db.stored).containsExactly(
        "tandem_slo,cloud=primary,slo=orders firing_tiers=0i,good=0i,objective=0.99,total=0i 1795687200123456789",
        "tandem_slo_burn,cloud=primary,slo=orders,window=5m burn_rate=2.5 1795687200123456789",
        "tandem_slo_tier,cloud=primary,severity=page,slo=orders,tier=page-fast factor=13.44,firing=0i,threshold=0.1344"
            + " 1795687200123456789");
  }

  @Test
  void selfMetricsFollowPrometheusNaming() throws IOException {
    try (InfluxSink sink = sink()) {
      sink.accept(new ProbeObservation(T0, "r1", "order-to-invoice", "submit", "primary", "ext-1", true, 84, null));
      await().atMost(Duration.ofSeconds(10)).until(() -> sink.written() == 1);
    }
    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("tandem_influx_points_accepted_total{measurement=\"tandem_probe\"} 1.0")
        .contains("tandem_influx_points_written_total 1.0")
        .contains("tandem_influx_points_retried_total 0.0")
        .contains("tandem_influx_points_spilled_total 0.0")
        .contains("tandem_influx_points_dropped_total{reason=\"queue_full\"} 0.0")
        .contains("tandem_influx_points_dropped_total{reason=\"spill_full\"} 0.0")
        .contains("tandem_influx_spill_bytes 0.0")
        .contains("tandem_influx_queue_points 0.0")
        .contains("tandem_influx_spill_corrupt_bytes_total 0.0");
  }
}
