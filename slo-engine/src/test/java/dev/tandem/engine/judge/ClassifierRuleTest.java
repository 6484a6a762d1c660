package dev.tandem.engine.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.verdict.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The table itself: precedence between its rows, and the docs that print it. */
class ClassifierRuleTest {
  private static CloudSignals signals(String set) {
    return new CloudSignals(!set.contains("!seen"), set.contains("quorum"), set.contains("concentrated"),
        set.contains("spread"), set.contains("component"), set.contains("vantage"), set.contains("silent"),
        set.contains("working"));
  }

  static Stream<Arguments> precedence() {
    return Stream.of(
        Arguments.of("!seen silent", ClassifierRule.NO_DATA),
        Arguments.of("quorum", ClassifierRule.CLOUD_WIDE),
        Arguments.of("quorum component vantage silent working", ClassifierRule.CLOUD_WIDE),
        // A failing quorum whose failures are concentrated is a component, never cloud-wide.
        Arguments.of("quorum concentrated component", ClassifierRule.COMPONENT),
        Arguments.of("spread working", ClassifierRule.BROWNOUT_BELOW_THRESHOLD),
        Arguments.of("spread concentrated component working", ClassifierRule.COMPONENT),
        // A component outranks a vantage fault and a silent path: the owner must act.
        Arguments.of("component vantage silent working", ClassifierRule.COMPONENT),
        Arguments.of("vantage silent working", ClassifierRule.VANTAGE),
        Arguments.of("silent working", ClassifierRule.TELEMETRY),
        Arguments.of("vantage", ClassifierRule.UNCONFIRMED),
        Arguments.of("", ClassifierRule.UNCONFIRMED),
        Arguments.of("working", ClassifierRule.HEALTHY));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("precedence")
  void theFirstRowThatHoldsNamesTheFault(String inputs, ClassifierRule expected) {
    assertThat(ClassifierRule.of(signals(inputs))).isEqualTo(expected);
  }

  @Test
  void onlyTheCloudWideRowCountsTowardsFailover() {
    for (ClassifierRule r : ClassifierRule.values()) {
      assertThat(r.cloudWide()).as(r.id()).isEqualTo(r == ClassifierRule.CLOUD_WIDE);
      assertThat(ClassifierRule.byId(r.id())).contains(r);
    }
    assertThat(ClassifierRule.CLOUD_WIDE.fault()).isEqualTo(Fault.CLOUD_WIDE);
  }

  /** docs/judgement.md prints this table between markers; it must be the table the code runs. */
  @Test
  void theDocsPrintTheTableTheCodeRuns() throws IOException {
    Path doc = Path.of("..", "docs", "judgement.md");
    String text = Files.readString(doc);
    String begin = "<!-- rules:begin -->\n";
    String end = "<!-- rules:end -->";
    String inDocs = text.substring(text.indexOf(begin) + begin.length(), text.indexOf(end));
    assertThat(inDocs).isEqualTo(render());
  }

  private static String render() {
    StringBuilder b = new StringBuilder();
    b.append("| # | rule | inputs | fault | health | counts towards FAILOVER |\n");
    b.append("|---|---|---|---|---|---|\n");
    int i = 1;
    for (ClassifierRule r : ClassifierRule.values()) {
      String fault = r == ClassifierRule.NO_DATA ? "NONE (TELEMETRY when a path of the cloud is silent)"
          : r.fault().name();
      b.append(String.format(Locale.ROOT, "| %d | `%s` | %s | %s | %s | %s |%n", i++, r.id(), r.inputs(), fault,
          r.health(), r.cloudWide() ? "yes" : "no"));
    }
    return b.toString();
  }
}
