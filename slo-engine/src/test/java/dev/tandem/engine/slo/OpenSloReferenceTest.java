package dev.tandem.engine.slo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.yaml.Problem;
import dev.tandem.engine.yaml.Problems;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** References across files, and the OpenSLO Go SDK's files whose references dangle. */
class OpenSloReferenceTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "v1_alert_policies_invalid_condition.yaml | 8 | 23 | AlertPolicy 'invalid-condition': AlertCondition"
          + " 'cpu-usage-breach' referenced at 'spec.conditions[0].conditionRef' does not exist in the files read",
      "v1_alert_policies_invalid_target.yaml | 25 | 20 | AlertPolicy 'invalid-target': AlertNotificationTarget"
          + " 'devs-email-notification' referenced at 'spec.notificationTargets[1].targetRef' does not exist"
          + " in the files read",
      "v1_slo_invalid_policy.yaml | 9 | 25 | SLO 'my-slo': AlertPolicy 'no-policy' referenced at"
          + " 'spec.alertPolicies[0].alertPolicyRef' does not exist in the files read",
      "v1_slo_invalid_sli.yaml | 7 | 19 | SLO 'my-slo': SLI 'no-sli' referenced at 'spec.indicatorRef'"
          + " does not exist in the files read (defined: my-sli)",
      "v1_slo_invalid_target.yaml | 32 | 26 | SLO 'my-slo': AlertNotificationTarget 'devs-email-notification'"
          + " referenced at 'spec.alertPolicies[0].spec.notificationTargets[1].targetRef' does not exist in"
          + " the files read"})
  void danglingReferenceIsRejectedWhereItStands(String file, int line, int column, String message) {
    Path path = TestFiles.resource("invalid/" + file);
    Problems problems = new Problems();

    OpenSloCatalog.read(List.of(path), problems);

    assertThat(problems.sorted()).extracting(Problem::toString)
        .containsExactly(path + ":" + line + ":" + column + ": " + message);
  }

  @Test
  void referencesResolveAcrossFiles() {
    Path slo = TestFiles.write(dir, "slo.yaml", """
        apiVersion: openslo/v1
        kind: SLO
        metadata: {name: checkout}
        spec:
          service: shop
          indicatorRef: checkout-ok
          timeWindow: [{duration: 1h, isRolling: true}]
          budgetingMethod: Occurrences
          objectives: [{target: 0.99}]
          alertPolicies: [{alertPolicyRef: fast-burn}]
        """);
    Path rest = TestFiles.write(dir, "rest.yaml", """
        - apiVersion: openslo/v1
          kind: SLI
          metadata: {name: checkout-ok}
          spec:
            ratioMetric:
              good: {metricSource: {type: tandem, spec: {source: probe, journey: checkout}}}
              total: {metricSource: {type: tandem, spec: {source: probe, journey: checkout}}}
        - apiVersion: openslo/v1
          kind: AlertPolicy
          metadata: {name: fast-burn}
          spec:
            conditions: [{conditionRef: burn}]
            notificationTargets: [{targetRef: pager}, {kind: AlertNotificationTarget, metadata: {name: mail}, spec: {target: email}}]
        - apiVersion: openslo/v1
          kind: AlertCondition
          metadata: {name: burn}
          spec: {severity: page, condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h}}
        - apiVersion: openslo/v1
          kind: AlertNotificationTarget
          metadata: {name: pager}
          spec: {target: pagerduty}
        """);
    Problems problems = new Problems();

    OpenSloCatalog catalog = OpenSloCatalog.read(List.of(slo, rest), problems);

    assertThat(problems.sorted()).isEmpty();
    assertThat(catalog.indicator(catalog.slos().get("checkout"))).get()
        .extracting(SliDefinition::name).isEqualTo("checkout-ok");
    List<SloAlertPolicy> policies = catalog.alertPolicies("checkout");
    assertThat(policies).singleElement().satisfies(p -> {
      assertThat(p.policy().name()).isEqualTo("fast-burn");
      assertThat(p.conditions()).extracting(AlertConditionDefinition::name).containsExactly("burn");
      assertThat(p.conditions().get(0).threshold()).isEqualByComparingTo("14.4");
      assertThat(p.conditions().get(0).alertAfter()).isNull();
      assertThat(p.notificationTargets()).extracting(NotificationTargetDefinition::target)
          .containsExactly("pagerduty", "email");
    });
    assertThat(catalog.compile(problems)).extracting(SloSpec::name).containsExactly("checkout");
    assertThat(problems.sorted()).isEmpty();
  }

  @Test
  void aSecondObjectOfTheSameKindAndNameIsADuplicateWhileOtherKindsMayShareIt() {
    Path file = TestFiles.write(dir, "dup.yaml", """
        apiVersion: openslo/v1
        kind: Service
        metadata: {name: shop}
        spec: {}
        ---
        apiVersion: openslo/v1
        kind: AlertNotificationTarget
        metadata: {name: shop}
        spec: {target: email}
        ---
        apiVersion: openslo/v1
        kind: Service
        metadata: {name: shop}
        spec: {description: again}
        """);
    Problems problems = new Problems();

    OpenSloCatalog catalog = OpenSloCatalog.read(List.of(file), problems);

    assertThat(problems.sorted()).extracting(Problem::toString).containsExactly(
        file + ":13:18: duplicate Service named 'shop' (first defined at " + file + ":3:18)");
    assertThat(catalog.services().get("shop").description()).isNull();
    assertThat(catalog.names("AlertNotificationTarget")).containsExactly("shop");
  }

  @Test
  void anObjectWithProblemsKeepsItsNameSoThatReferencesToItDoNotDangle() {
    Path file = TestFiles.write(dir, "broken.yaml", """
        - apiVersion: openslo/v1
          kind: AlertPolicy
          metadata: {name: policy}
          spec:
            conditions: [{conditionRef: burn}]
            notificationTargets: [{targetRef: pager}]
        - apiVersion: openslo/v1
          kind: AlertCondition
          metadata: {name: burn}
          spec: {severity: page, condition: {kind: burnrate, op: gt, threshold: lots, lookbackWindow: 1h}}
        - apiVersion: openslo/v1
          kind: AlertNotificationTarget
          metadata: {name: pager}
          spec: {target: pagerduty}
        """);
    Problems problems = new Problems();

    OpenSloCatalog catalog = OpenSloCatalog.read(List.of(file), problems);

    assertThat(problems.sorted()).extracting(Problem::toString).containsExactly(
        file + ":10:73: 'threshold' must be a number, found 'lots'");
    assertThat(catalog.names("AlertCondition")).containsExactly("burn");
    assertThat(catalog.alertConditions()).isEmpty();
  }
}
