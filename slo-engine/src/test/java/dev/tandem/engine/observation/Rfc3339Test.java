package dev.tandem.engine.observation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Rfc3339Test {
  @ParameterizedTest
  @ValueSource(strings = {"2026-11-26T10:00:00Z", "2026-11-26T10:00:00.5Z", "2024-02-29T23:59:59.123456789Z",
      "1970-01-01T00:00:00Z", "2026-11-26t10:00:00Z"})
  void fastPathAgreesWithTheGeneralParser(String ts) {
    assertThat(Rfc3339.parseUtc(ts)).isEqualTo(OffsetDateTime.parse(ts.replace('t', 'T')).toInstant());
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-26T10:00:00+01:00", "2026-02-30T10:00:00Z", "2026-13-01T00:00:00Z",
      "2026-11-26 10:00:00Z", "2026-11-26T10:00:00.Z", "2026-11-26T25:00:00Z", "yesterday at noon, Z"})
  void otherFormsFallBackToTheGeneralParser(String ts) {
    assertThat(Rfc3339.parseUtc(ts)).isNull();
  }

  @org.junit.jupiter.api.Test
  void offsetsStillDecodeThroughTheCodec() {
    Observation o = new ObservationCodec().decode(
        "{\"ts\":\"2026-11-26T11:00:00+01:00\",\"type\":\"heartbeat\",\"path\":\"a\",\"cloud\":\"b\"}");
    assertThat(o.ts()).isEqualTo(Instant.parse("2026-11-26T10:00:00Z"));
  }
}
