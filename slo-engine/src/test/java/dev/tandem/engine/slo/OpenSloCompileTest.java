package dev.tandem.engine.slo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.yaml.Problems;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** From OpenSLO with {@code metricSource.type: tandem} to the engine's {@link SloSpec}s. */
class OpenSloCompileTest {
  @TempDir
  Path dir;

  private static List<SloSpec> compile(List<Path> files, Problems problems) {
    return OpenSloCatalog.read(files, problems).compile(problems);
  }

  @Test
  void tandemExamplesCompileToOneSpecPerObjective() {
    Problems problems = new Problems();

    List<SloSpec> specs = compile(TestFiles.folder("tandem"), problems);

    assertThat(problems.sorted()).isEmpty();
    assertThat(specs).extracting(SloSpec::name).containsExactly("order-submission-availability",
        "partner-feed", "submit-order-fast", "submit-order-fast/not-slow");

    SloSpec spans = specs.get(0);
    assertThat(spans.displayName()).isEqualTo("Order submission availability");
    assertThat(spans.service()).isEqualTo("order-platform");
    assertThat(spans.window()).isEqualTo(SloWindow.rolling(Duration.ofDays(28)));
    assertThat(spans.method()).isEqualTo(BudgetingMethod.TIMESLICES);
    assertThat(spans.target()).isEqualTo(new BigDecimal("0.995"));
    assertThat(spans.timeSliceTarget()).isEqualTo(new BigDecimal("0.95"));
    assertThat(spans.timeSliceWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(spans.selector()).isEqualTo(new Selector(Selector.Source.SPAN,
        Map.of(Selector.SERVICE, "order-service", Selector.OPERATION, "POST /orders")));
    assertThat(spans.latencyThresholdMs()).isNull();

    SloSpec feed = specs.get(1);
    assertThat(feed.method()).isEqualTo(BudgetingMethod.RATIO_TIMESLICES);
    assertThat(feed.timeSliceTarget()).isNull();
    assertThat(feed.timeSliceWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(feed.window()).isEqualTo(SloWindow.rolling(Duration.ofMinutes(30)));
    assertThat(feed.selector()).isEqualTo(new Selector(Selector.Source.SLI,
        Map.of(Selector.SLO, "partner-feed")));

    SloSpec fast = specs.get(2);
    assertThat(fast.displayName()).isEqualTo("Orders submit fast: Fast");
    assertThat(fast.window()).isEqualTo(SloWindow.calendar(1, ChronoUnit.MONTHS,
        LocalDateTime.of(2026, 1, 1, 0, 0), ZoneId.of("Europe/Berlin")));
    assertThat(fast.method()).isEqualTo(BudgetingMethod.OCCURRENCES);
    assertThat(fast.timeSliceWindow()).isNull();
    assertThat(fast.target()).isEqualTo(new BigDecimal("0.999"));
    assertThat(fast.latencyThresholdMs()).isEqualTo(800.0);
    assertThat(fast.selector()).isEqualTo(new Selector(Selector.Source.PROBE,
        Map.of(Selector.JOURNEY, "order-to-invoice", Selector.STEP, "submit-order")));
    assertThat(fast.at().line()).isEqualTo(35);

    SloSpec notSlow = specs.get(3);
    assertThat(notSlow.displayName()).isEqualTo("Orders submit fast: Not slow");
    assertThat(notSlow.target()).isEqualTo(new BigDecimal("0.9999"));
    assertThat(notSlow.latencyThresholdMs()).isEqualTo(2000.0);
  }

  @Test
  void theDemoSlosCompile() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(Path.of("..", "examples", "demo", "slos"))) {
      files = list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    Problems problems = new Problems();

    List<SloSpec> specs = compile(files, problems);

    assertThat(problems.sorted()).isEmpty();
    assertThat(specs).hasSameSizeAs(files).isNotEmpty();
    assertThat(specs).allSatisfy(s -> assertThat(s.selector().source())
        .isIn(Selector.Source.SPAN, Selector.Source.HISTOGRAM, Selector.Source.PROBE, Selector.Source.SLI));
  }

  @ParameterizedTest(name = "{0} is the target {1}")
  @CsvSource({
      "'target: 0.999', 0.999, 0.001",
      "'target: 0.99990', 0.99990, 0.00010",
      "'target: 0.9995', 0.9995, 0.0005",
      "'target: 9.99e-1', 0.999, 0.001",
      "'targetPercent: 99.9', 0.999, 0.001",
      "'targetPercent: 99.95', 0.9995, 0.0005",
      "'targetPercent: 99', 0.99, 0.01",
      "'targetPercent: 99.999', 0.99999, 0.00001"})
  void targetsAreExactDecimalsAsWritten(String line, String target, String budget) {
    String yaml = SloYaml.edit("target: 0.999", line);
    Problems problems = new Problems();

    List<SloSpec> specs = compile(List.of(TestFiles.write(dir, "slo.yaml", yaml)), problems);

    assertThat(problems.sorted()).isEmpty();
    assertThat(specs).singleElement().satisfies(s -> {
      assertThat(s.target().toPlainString()).isEqualTo(target);
      assertThat(s.budget()).isEqualByComparingTo(budget);
    });
  }

  @Test
  void objectivesAfterTheFirstAreNamedByDisplayNameOrPosition() {
    String yaml = SloYaml.edit("      target: 0.999\n", """
              target: 0.999
            - target: 0.99
            - displayName: "Nightly: batch!"
              target: 0.9
        """);
    Problems problems = new Problems();

    List<SloSpec> specs = compile(List.of(TestFiles.write(dir, "slo.yaml", yaml)), problems);

    assertThat(problems.sorted()).isEmpty();
    assertThat(specs).extracting(SloSpec::name)
        .containsExactly("checkout", "checkout/2", "checkout/nightly-batch");
    assertThat(specs).extracting(SloSpec::displayName).containsExactly(
        "Checkout works: Works", "Checkout works: objective 2", "Checkout works: Nightly: batch!");
  }

  /** Each row gives the good and total specs of the template's ratio SLI, and the one problem. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "different values | {source: span, service: a} | {source: span, service: b}"
          + " | good has service 'a' where total has 'b'",
      "good narrows | {source: probe, journey: j, step: s} | {source: probe, journey: j}"
          + " | good filters on step 's', total does not",
      "total narrows | {source: probe} | {source: probe, vantage: ext-1}"
          + " | total filters on vantage 'ext-1', good does not",
      "different sources | {source: span, service: a} | {source: histogram, service: a}"
          + " | good reads source span where total reads histogram"})
  void goodAndTotalMustSelectTheSameObservations(String what, String good, String total, String difference) {
    String yaml = SloYaml.edit("spec: {source: probe, journey: checkout}", "spec: " + good)
        .replace("spec: {source: probe, journey: checkout}", "spec: " + total);

    List<String> problems = SloYaml.problems(dir, yaml);

    String means = good.contains("span") ? "a span is good when its status is not ERROR"
        : "a probe step is good when it passed";
    if (difference.contains("histogram")) {
      means = "a request is good when its status is below 500";
    }
    assertThat(problems).containsExactly(SloYaml.locate(yaml, "{source") + ": good and total must select"
        + " the same observations (" + means + ", so good adds no filter of its own): " + difference);
  }

  /** Each row replaces the good side's tandem spec; the problem stands at the first {@code token}. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "misspelt filter | {source: probe, journy: checkout} | journy"
          + " | unknown key 'journy' in a tandem metricSource spec (source probe takes: source, journey, step, vantage)",
      "filter of another source | {source: probe, journey: checkout, service: shop} | 'service: shop}'"
          + " | 'service' does not filter probe observations (source probe takes: source, journey, step, vantage)",
      "sli takes no filter | {source: sli, journey: checkout} | journey: checkout}"
          + " | 'journey' does not filter sli observations (source sli takes no filter: its observations name the SLO)",
      "no source | {journey: checkout} | '{journey'"
          + " | a tandem metricSource needs 'source': probe, span, histogram or sli",
      "unknown source | {source: queue, journey: checkout} | queue"
          + " | source must be probe, span, histogram or sli, found 'queue'",
      "a filter that is a list | {source: probe, journey: [a, b]} | [a"
          + " | 'journey' must be a single name, found a list",
      "good restated wrongly | {source: span, status: unset} | unset"
          + " | status 'unset' is not served: a span is good when its status is not ERROR (write status: \"ok\", or leave it out)",
      "goodWhen of another threshold | {source: histogram, goodWhen: \"status < 400\"} | \"status"
          + " | goodWhen 'status < 400' is not served: a request is good when its status is below 500"
          + " (write goodWhen: \"status < 500\", or leave it out)",
      "goodWhen on a probe | {source: probe, goodWhen: ok} | goodWhen"
          + " | 'goodWhen' does not belong on the good side of a probe source: a probe step is good when it passed",
      "another histogram | {source: histogram, metric: rpc.server.duration} | rpc"
          + " | Tandem's histogram SLIs read http.server.request.duration only, found 'rpc.server.duration'",
      "span named twice | {source: span, operation: a, span: a} | span: a"
          + " | 'span' and 'operation' both name the span; give one"})
  void tandemSpecsThatTandemCannotMatchAreProblems(String what, String good, String token, String message) {
    String yaml = SloYaml.edit("spec: {source: probe, journey: checkout}", "spec: " + good);

    List<String> problems = SloYaml.problems(dir, yaml);

    assertThat(problems).containsExactly(SloYaml.locate(yaml, token) + ": " + message);
  }

  @Test
  void aQualifierOnTheTotalSideIsAProblem() {
    String spec = "spec: {source: probe, journey: checkout}";
    String yaml = SloYaml.TEMPLATE.replace(spec, "spec: {source: span, service: a, status: ok}");

    List<String> problems = SloYaml.problems(dir, yaml);

    assertThat(problems).containsExactly(SloYaml.locate(yaml, "status", "total:")
        + ": 'status' does not belong on the total side of a span source: a span is good when its"
        + " status is not ERROR");
  }

  @Test
  void badOverTotalCompilesToTheTotalSelector() {
    String yaml = SloYaml.edit("        good:", "        bad:")
        .replace("spec: {source: probe, journey: checkout}", "spec: {source: span, service: a}")
        .replaceFirst("service: a}", "service: a, status: error}");
    Problems problems = new Problems();

    List<SloSpec> specs = compile(List.of(TestFiles.write(dir, "slo.yaml", yaml)), problems);

    assertThat(problems.sorted()).isEmpty();
    assertThat(specs).singleElement().extracting(SloSpec::selector)
        .isEqualTo(new Selector(Selector.Source.SPAN, Map.of(Selector.SERVICE, "a")));
  }

  /** A latency SLI: the template's indicator becomes a thresholdMetric on probes. */
  private static String latencySlo(String objective) {
    return SloYaml.edit("""
              ratioMetric:
                counter: true
                good:
                  metricSource:
                    type: tandem
                    spec: {source: probe, journey: checkout}
                total:
                  metricSource:
                    type: tandem
                    spec: {source: probe, journey: checkout}
        """, """
              thresholdMetric:
                metricSource:
                  type: tandem
                  spec: {source: histogram, service: shop}
        """).replace("      target: 0.999\n", objective);
  }

  @org.junit.jupiter.api.Test
  void histogramLatencyThresholdsMustBeAStandardBound() throws Exception {
    Problems problems = new Problems();
    List<SloSpec> specs = compile(List.of(TestFiles.write(dir, "slo.yaml",
        latencySlo("      op: lte\n      value: 99.5\n      target: 0.99\n"))), problems);
    assertThat(specs).isEmpty();
    assertThat(problems.sorted()).singleElement().asString()
        .contains("latency threshold must be one of the standard bounds").contains("found 99.5");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "faster than | '      op: lt\\n      value: 250\\n      target: 0.99\\n' | 250.0 | | ",
      "at most | '      op: lte\\n      value: 100\\n      target: 0.99\\n' | 100.0 | | ",
      "slower than | '      op: gt\\n      value: 250\\n      target: 0.99\\n' | | gt | op 'gt' is not served for"
          + " a latency objective: Tandem counts an event good when it is faster than 'value' milliseconds (op lt or lte)",
      "no value | '      op: lt\\n      target: 0.99\\n' | | displayName: Works | a thresholdMetric objective"
          + " needs 'value': the latency in milliseconds that good events stay under",
      "no op | '      value: 250\\n      target: 0.99\\n' | | displayName: Works | a thresholdMetric objective"
          + " needs op lt or lte and a 'value' in milliseconds: an event is good when it is faster than value"})
  void latencyObjectivesNeedAnUpperBoundInMilliseconds(String what, String objective, Double ms,
      String token, String message) {
    String yaml = latencySlo(objective.replace("\\n", "\n"));
    Problems problems = new Problems();

    List<SloSpec> specs = compile(List.of(TestFiles.write(dir, "slo.yaml", yaml)), problems);

    if (ms != null) {
      assertThat(problems.sorted()).isEmpty();
      assertThat(specs).singleElement().satisfies(s -> {
        assertThat(s.latencyThresholdMs()).isEqualTo(ms);
        assertThat(s.selector().source()).isEqualTo(Selector.Source.HISTOGRAM);
      });
    } else {
      assertThat(specs).isEmpty();
      assertThat(SloYaml.problems(dir, yaml)).containsExactly(SloYaml.locate(yaml, token) + ": " + message);
    }
  }

  @Test
  void aLatencySliCannotReadPrecomputedSliObservations() {
    String yaml = latencySlo("      op: lt\n      value: 250\n      target: 0.99\n")
        .replace("{source: histogram, service: shop}", "{source: sli}");

    assertThat(SloYaml.problems(dir, yaml)).containsExactly(SloYaml.locate(yaml, "sli}") + ": a"
        + " thresholdMetric needs latencies, and sli observations carry only good and total counts"
        + " (use source probe, span or histogram)");
  }

  @Test
  void aRatioObjectiveWithAnUpperBoundIsAProblem() {
    String yaml = SloYaml.edit("target: 0.999", "target: 0.999\n      op: lt\n      value: 3");

    assertThat(SloYaml.problems(dir, yaml)).containsExactly(
        SloYaml.locate(yaml, "lt") + ": op 'lt' contradicts a ratio objective: the target is the least"
            + " good ratio allowed (use gt or gte, or leave op out)",
        SloYaml.locate(yaml, "3\n") + ": 'value' applies to thresholdMetric indicators only; this SLI is a"
            + " ratioMetric, whose objective is its target");
  }

  @Test
  void aForeignMetricSourceIsNamedOnceAtItsType() {
    String yaml = SloYaml.TEMPLATE.replace("type: tandem", "type: Prometheus");

    assertThat(SloYaml.problems(dir, yaml)).containsExactly(SloYaml.locate(yaml, "Prometheus")
        + ": metricSource type 'Prometheus' is not served by Tandem: Tandem computes SLIs from its own"
        + " observations (type: tandem)");
  }

  @Test
  void aMetricSourceWithoutTypeTakesItsDataSourcesType() {
    String yaml = SloYaml.TEMPLATE.replace("type: tandem", "metricSourceRef: prom") + """
        ---
        apiVersion: openslo/v1
        kind: DataSource
        metadata: {name: prom}
        spec: {type: Prometheus, connectionDetails: {url: "http://prometheus:9090"}}
        """;

    // The problem stands at the reference's value, since no type is written.
    assertThat(SloYaml.problems(dir, yaml)).containsExactly(SloYaml.locate(yaml, "prom\n")
        + ": metricSource type 'Prometheus' (of DataSource 'prom') is not served by Tandem: Tandem"
        + " computes SLIs from its own observations (type: tandem)");
  }
}
