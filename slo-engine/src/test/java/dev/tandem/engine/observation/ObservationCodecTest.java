package dev.tandem.engine.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ObservationCodecTest {
  private static final Instant T = Instant.parse("2026-11-26T10:00:00Z");
  private final ObservationCodec codec = new ObservationCodec();

  static Stream<Observation> observations() {
    return Stream.of(
        new ProbeObservation(T, "8f1c", "order-to-invoice", "submit-order", "primary", "ext-1", true, 84, null),
        new ProbeObservation(T, "8f1d", "order-to-invoice", "allocate", "primary", "ext-1", false, 12,
            "status 503, expected [200]", 3),
        new SliObservation(T, "inventory-api-availability", "primary", "path-a", 990, 1000),
        new HeartbeatObservation(T, "path-a", "primary"),
        new ReplicationObservation(T, "order-platform", "secondary", 4.2),
        new TelemetryObservation(T, "path-a", "primary", "order-service", "POST /orders", "span", 9, 10),
        new TelemetryObservation(T, "path-a", "primary", "order-service", "POST /orders", "histogram", 9, 10,
            LatencyCounts.of(new long[] {3, 8, 40, 120, 600, 700, 1200, 2000, 9000, 20000})),
        new SwitchObservation(T, "order-platform", "secondary", "controller-eu"),
        MaintenanceObservation.added(T, "mw-1", "inventory-api-availability", "primary", T.plusSeconds(60),
            T.plusSeconds(3600), "database upgrade", "ops@example.com"),
        MaintenanceObservation.added(T, "mw-2", null, null, T, T.plusSeconds(60), "", "unknown"),
        MaintenanceObservation.removed(T, "mw-1", "ops@example.com"));
  }

  @org.junit.jupiter.api.Test
  void aSwitchLineIsTheContractsLine() {
    assertThat(codec.encode(new SwitchObservation(T, "order-platform", "secondary", "controller-id")))
        .isEqualTo("{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"switch\",\"domain\":\"order-platform\","
            + "\"active\":\"secondary\",\"by\":\"controller-id\"}");
  }

  @org.junit.jupiter.api.Test
  void aMaintenanceLineNamesItsWindowOrOnlyItsIdWhenRemoved() {
    assertThat(codec.encode(MaintenanceObservation.added(T, "mw-1", null, "primary", T, T.plusSeconds(60),
        "upgrade", "ops"))).isEqualTo("{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"maintenance\",\"action\":\"add\","
            + "\"id\":\"mw-1\",\"cloud\":\"primary\",\"start\":\"2026-11-26T10:00:00Z\","
            + "\"end\":\"2026-11-26T10:01:00Z\",\"reason\":\"upgrade\",\"by\":\"ops\"}");
    assertThat(codec.encode(MaintenanceObservation.removed(T, "mw-1", "ops")))
        .isEqualTo("{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"maintenance\",\"action\":\"remove\","
            + "\"id\":\"mw-1\",\"by\":\"ops\"}");
  }

  @ParameterizedTest
  @MethodSource("observations")
  void everyTypeSurvivesARoundTrip(Observation o) {
    String line = codec.encode(o);
    assertThat(line).contains("\"ts\":\"2026-11-26T10:00:00Z\"").contains("\"type\":\"" + o.type() + "\"");
    assertThat(codec.decode(line)).isEqualTo(o);
  }

  @org.junit.jupiter.api.Test
  void readsTheContractsExampleLines() {
    Observation p = codec.decode("{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"probe\",\"run\":\"8f1c...\","
        + "\"journey\":\"order-to-invoice\",\"step\":\"submit-order\",\"cloud\":\"primary\",\"vantage\":\"ext-1\","
        + "\"ok\":true,\"latencyMs\":84}");
    assertThat(p).isInstanceOf(ProbeObservation.class);
    assertThat(((ProbeObservation) p).latencyMs()).isEqualTo(84);
    Observation r = codec.decode("{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"replication\",\"domain\":\"order-platform\","
        + "\"cloud\":\"secondary\",\"lagSeconds\":4.2,\"futureField\":1}");
    assertThat(((ReplicationObservation) r).lagSeconds()).isEqualTo(4.2);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "not json",
      "[1,2]",
      "{\"type\":\"heartbeat\",\"path\":\"a\",\"cloud\":\"b\"}",
      "{\"ts\":\"yesterday\",\"type\":\"heartbeat\",\"path\":\"a\",\"cloud\":\"b\"}",
      "{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"mystery\"}",
      "{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"sli\",\"slo\":\"s\",\"cloud\":\"c\",\"good\":5,\"total\":3}",
      "{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"probe\",\"run\":\"r\",\"journey\":\"j\",\"step\":\"s\","
          + "\"cloud\":\"c\",\"vantage\":\"v\",\"ok\":false,\"latencyMs\":1}",
      "{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"switch\",\"domain\":\"d\",\"active\":\"secondary\"}",
      "{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"maintenance\",\"action\":\"pause\",\"id\":\"m\",\"by\":\"x\"}",
      "{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"maintenance\",\"action\":\"add\",\"id\":\"m\","
          + "\"start\":\"2026-11-26T10:00:00Z\",\"by\":\"x\"}",
      "{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"maintenance\",\"action\":\"add\",\"id\":\"m\","
          + "\"start\":\"2026-11-26T11:00:00Z\",\"end\":\"2026-11-26T10:00:00Z\",\"by\":\"x\"}"
  })
  void badLinesAreRejectedWithAReason(String line) {
    assertThatThrownBy(() -> codec.decode(line)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageMatching(".{5,}");
  }
}
