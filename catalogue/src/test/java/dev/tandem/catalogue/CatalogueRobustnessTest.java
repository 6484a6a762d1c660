package dev.tandem.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.verdict.Recommendation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The catalogue's rules hold whatever the dice say: every case (but the day-long slow burn) with
 * other seeds, so other failing steps, other lost requests and other background errors. No
 * recommendation the case does not allow, no owner paged for an observer-side fault, at most one
 * incident per routing key, and every failover-worthy hard fault reaches FAILOVER.
 */
class CatalogueRobustnessTest {
  static Stream<Arguments> casesAndSeeds() {
    List<Arguments> out = new ArrayList<>();
    for (GrayFailure g : GrayFailure.values()) {
      if (g == GrayFailure.SLOW_BURN) {
        continue;
      }
      for (long seed = 2; seed <= 6; seed++) {
        out.add(Arguments.of(g, seed));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @MethodSource("casesAndSeeds")
  void theRulesHoldWhateverTheDice(GrayFailure g, long seed) {
    CatalogueRun.Outcome o = CatalogueRun.replay(g, Duration.ZERO, seed);
    assertThat(o.wrong()).as("recommendations the case does not allow").isEmpty();
    assertThat(o.incidentsByRouting().values()).as("incidents per routing key: %s", o.pages()).allMatch(n -> n <= 1);
    if (g.observerSide()) {
      assertThat(o.ownerTriggers()).as("owner pages for an observer-side fault").isEmpty();
    }
    if (List.of(GrayFailure.CLOUD_OUTAGE, GrayFailure.CLOUD_OUTAGE_503, GrayFailure.BROWNOUT_35,
        GrayFailure.BROWNOUT_60).contains(g)) {
      assertThat(o.firstSecondOf(Recommendation.FAILOVER)).as("seconds to FAILOVER").isBetween(0.0, 60.0);
    }
  }
}
