package dev.tandem.engine.slo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.yaml.Problem;
import dev.tandem.engine.yaml.Problems;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The OpenSLO project's own examples (copied into test resources): read as their authors meant. */
class OpenSloConformanceTest {
  private static final String NOT_SERVED =
      "' is not served by Tandem: Tandem computes SLIs from its own observations (type: tandem)";

  private static String at(String file, int line, int column) {
    return TestFiles.resource("v1/" + file) + ":" + line + ":" + column + ": ";
  }

  private static List<String> messages(Problems problems) {
    return problems.sorted().stream().map(Problem::toString).toList();
  }

  @Test
  void everyExampleReadTogetherIsValidOpenSloButForTheExamplesOwnInconsistencies() {
    Problems problems = new Problems();
    OpenSloCatalog catalog = OpenSloCatalog.read(TestFiles.folder("v1"), problems);

    // The examples illustrate each kind on its own; read as one set, four things disagree, and a
    // reader that resolves references and names across files must say so.
    assertThat(messages(problems)).containsExactly(
        at("alert_policies.yaml", 18, 20) + "AlertPolicy 'low-priority': AlertNotificationTarget"
            + " 'on-call-mail-notification' referenced at 'spec.notificationTargets[0].targetRef'"
            + " does not exist in the files read (defined: devs-email-notification, pd-on-call-notification)",
        at("alert_policies.yaml", 50, 20) + "AlertPolicy 'high-priority': AlertNotificationTarget"
            + " 'on-call-pd-notification' referenced at 'spec.notificationTargets[0].targetRef'"
            + " does not exist in the files read (defined: devs-email-notification, pd-on-call-notification)",
        at("services.yaml", 24, 11) + "duplicate Service named 'example-service' (first defined at "
            + TestFiles.resource("v1/services.yaml") + ":10:11)",
        at("spec-treat-low-traffic-as-equally-important-timeslices-slo.yaml", 4, 9)
            + "duplicate SLO named 'service-availability' (first defined at "
            + TestFiles.resource("v1/spec-budgeting-method-timeslices-slo.yaml") + ":5:9)");
    assertThat(catalog.names("SLO")).containsExactly("web-availability", "search-slo", "main-page",
        "service-availability");
    assertThat(catalog.names("SLI")).containsExactly("search-availability", "end-user-response",
        "wifi-client-satisfaction", "annotator-throughput");
    assertThat(catalog.names("AlertPolicy")).containsExactly("low-priority", "high-priority", "medium-priority");
    assertThat(catalog.names("AlertCondition")).containsExactly("cpu-usage-breach", "latency-too-high");
    assertThat(catalog.names("AlertNotificationTarget"))
        .containsExactly("devs-email-notification", "pd-on-call-notification");
    assertThat(catalog.names("DataSource")).containsExactly("prometheus", "datadog");
    assertThat(catalog.names("Service")).containsExactly("example-service");
    // Every object is valid, so all of them are in the model, not only their names.
    assertThat(catalog.slos()).hasSize(4);
    assertThat(catalog.slis()).hasSize(4);
    assertThat(catalog.alertPolicies()).hasSize(3);
    assertThat(catalog.dataSources()).hasSize(2);
  }

  @Test
  void compilingTheExamplesSaysOnceForEachSliThatItsMetricSourceIsNotServed() {
    Problems read = new Problems();
    OpenSloCatalog catalog = OpenSloCatalog.read(TestFiles.folder("v1"), read);
    Problems problems = new Problems();

    assertThat(catalog.compile(problems)).isEmpty();
    assertThat(messages(problems)).containsExactly(
        at("slis.yaml", 19, 17) + "metricSource type 'Datadog" + NOT_SERVED,
        at("slis.yaml", 45, 17) + "metricSource type 'AppDynamics" + NOT_SERVED,
        at("slis.yaml", 71, 7) + "a 'raw' ratio metric is not served by Tandem: the ratio is computed"
            + " elsewhere, and Tandem computes SLIs from its own observations, counting events"
            + " (write 'good' or 'bad' over 'total' with type: tandem)",
        at("slis.yaml", 74, 17) + "metricSource type 'Prometheus" + NOT_SERVED,
        at("slis.yaml", 100, 15) + "metricSource type 'Prometheus" + NOT_SERVED,
        at("slos.yaml", 23, 21) + "metricSource type 'Prometheus" + NOT_SERVED,
        at("spec-budgeting-method-occurences-slo.yaml", 17, 17) + "metricSource type 'Any" + NOT_SERVED,
        at("spec-budgeting-method-ratio-timeslices.yaml", 18, 19) + "metricSource type 'Any" + NOT_SERVED,
        at("spec-budgeting-method-timeslices-slo.yaml", 18, 19) + "metricSource type 'Any" + NOT_SERVED,
        at("spec-treat-low-traffic-as-equally-important-timeslices-slo.yaml", 16, 19)
            + "metricSource type 'Any" + NOT_SERVED);
  }

  static Stream<Arguments> eachExample() {
    return TestFiles.folder("v1").stream().map(f -> Arguments.of(f.getFileName().toString(), f));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("eachExample")
  void eachExampleAloneReadsWithoutCrashOrComplaintAboutItsShape(String name, Path file) {
    Problems problems = new Problems();
    OpenSloCatalog catalog = OpenSloCatalog.read(List.of(file), problems);
    catalog.compile(problems);

    // Alone, a file may still name objects that other files define (or nobody does); beyond
    // that, the only complaints allowed are the ones about what Tandem does not serve.
    assertThat(messages(problems)).allSatisfy(m -> assertThat(m).containsAnyOf(
        "is not served by Tandem", "does not exist in the files read", "duplicate Service"));
    assertThat(catalog.names("SLO").size() + catalog.names("SLI").size()
        + catalog.names("AlertPolicy").size() + catalog.names("AlertCondition").size()
        + catalog.names("AlertNotificationTarget").size() + catalog.names("DataSource").size()
        + catalog.names("Service").size()).isPositive();
  }

  @Test
  void theSpecificationsOneMonthCalendarWindowIsReadAsAMonth() {
    Problems problems = new Problems();
    OpenSloCatalog catalog = OpenSloCatalog.read(
        List.of(TestFiles.resource("v1/spec-budgeting-method-timeslices-slo.yaml")), problems);

    SloDefinition slo = catalog.slos().get("service-availability");
    SloWindow window = slo.timeWindow().toSloWindow();
    assertThat(window.rolling()).isFalse();
    assertThat(window.count()).isEqualTo(1);
    assertThat(window.unit()).isEqualTo(ChronoUnit.MONTHS);
    assertThat(window.start()).isEqualTo(LocalDateTime.of(2022, 1, 1, 12, 0));
    assertThat(window.zone()).isEqualTo(ZoneId.of("America/New_York"));
    // ...while the same '1m' as a time slice is a minute.
    assertThat(slo.objectives()).extracting(SloDefinition.Objective::timeSliceWindow)
        .containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(1));
    assertThat(slo.objectives()).extracting(SloDefinition.Objective::target)
        .containsExactly(new BigDecimal("0.995"), new BigDecimal("0.99"));
    assertThat(slo.budgetingMethod()).isEqualTo(BudgetingMethod.TIMESLICES);
  }

  @Test
  void inlineAndReferencedAlertPartsAreBothModelled() {
    Problems problems = new Problems();
    OpenSloCatalog catalog = OpenSloCatalog.read(TestFiles.folder("v1"), problems);

    AlertPolicyDefinition high = catalog.alertPolicies().get("high-priority");
    AlertConditionDefinition inline = high.conditions().get(0).inline();
    assertThat(inline.name()).isEqualTo("memory-usage-breach");
    assertThat(inline.op()).isEqualTo("gt");
    assertThat(inline.threshold()).isEqualByComparingTo("2");
    assertThat(inline.lookbackWindow().toDuration()).isEqualTo(Duration.ofHours(1));
    assertThat(inline.alertAfter().toDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(high.notificationTargets().get(0).ref().name()).isEqualTo("on-call-pd-notification");

    AlertPolicyDefinition medium = catalog.alertPolicies().get("medium-priority");
    assertThat(medium.conditions().get(0).ref().name()).isEqualTo("cpu-usage-breach");
    assertThat(medium.notificationTargets().get(0).inline().target()).isEqualTo("slack");

    AlertConditionDefinition cpu = catalog.alertConditions().get("cpu-usage-breach");
    assertThat(cpu.metadata().labels()).containsEntry("team", List.of("team-a", "team-b"));
    assertThat(catalog.alertConditions().get("latency-too-high").metadata().annotations())
        .containsEntry("openslo.com/service-folder", "./my/directory");
    assertThat(catalog.dataSources().get("prometheus").type()).isEqualTo("Prometheus");
  }

  @Test
  void slisOfEveryShapeAreModelled() {
    Problems problems = new Problems();
    OpenSloCatalog catalog = OpenSloCatalog.read(List.of(TestFiles.resource("v1/slis.yaml")), problems);

    assertThat(problems.isEmpty()).isTrue();
    SliDefinition good = catalog.slis().get("search-availability");
    assertThat(good.ratioMetric().counter()).isTrue();
    assertThat(good.ratioMetric().good().metricSourceRef()).isEqualTo("my-datadog");
    assertThat(good.ratioMetric().good().spec().get("query").value())
        .isEqualTo("sum:trace.http.request.hits.by_http_status{http.status_code:200}.as_count()");
    assertThat(catalog.slis().get("end-user-response").ratioMetric().bad().type()).isEqualTo("AppDynamics");
    SliDefinition raw = catalog.slis().get("wifi-client-satisfaction");
    assertThat(raw.ratioMetric().rawType()).isEqualTo(SliDefinition.RawType.SUCCESS);
    assertThat(raw.ratioMetric().raw().spec().get("query").value().toString())
        .startsWith("1 - (");
    assertThat(catalog.slis().get("annotator-throughput").thresholdMetric().type()).isEqualTo("Prometheus");
  }
}
