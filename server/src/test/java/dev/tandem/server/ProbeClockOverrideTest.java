package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's and tests' per-vantage probe clock ({@link TandemNode.Overrides#probeClocks()}), never configuration. */
class ProbeClockOverrideTest {
  @TempDir
  Path dir;

  @Test
  void aProbeClockForAVantageTheObserverDoesNotHaveIsRefusedWhenTheNodeIsMade() throws Exception {
    var config = TestConfigs.load(TestConfigs.fastDemo(dir, ""));
    Vertx vertx = Vertx.vertx();
    try {
      assertThatThrownBy(() -> TandemNode.create(vertx, config, Clock.systemUTC(),
          TandemNode.Overrides.deferredSynthetics().withProbeClock("ext-9", Clock.systemUTC())))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'ext-9'").hasMessageContaining("obs-test");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void overridesKeepTheirProbeClocksAndDeferralApart() {
    Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(2));
    TandemNode.Overrides o = TandemNode.Overrides.deferredSynthetics().withProbeClock("ext-1", ahead);

    assertThat(o.deferSynthetics()).isTrue();
    assertThat(o.probeClocks()).containsOnlyKeys("ext-1").containsValue(ahead);
    assertThat(TandemNode.Overrides.none().probeClocks()).isEmpty();
    assertThatThrownBy(() -> o.probeClocks().put("ext-2", ahead)).isInstanceOf(UnsupportedOperationException.class);
  }
}
