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

/** The shapes OpenSLO allows, and a located problem for each it does not. */
class OpenSloReaderTest {
  @TempDir
  Path dir;

  @Test
  void theTemplateIsValidAndServed() {
    assertThat(SloYaml.problems(dir, SloYaml.TEMPLATE)).isEmpty();
  }

  @ParameterizedTest(name = "unknown key after: {0}")
  @CsvSource(delimiter = '|', value = {
      "'kind: SLO'",
      "'  name: checkout'",
      "'  service: shop'",
      "'      name: checkout-ok'",
      "'        counter: true'",
      "'            type: tandem'",
      "'      isRolling: true'",
      "'      target: 0.999'"})
  void unknownKeyIsReportedWhereItStands(String after) {
    String indent = after.substring(0, after.length() - after.stripLeading().length());
    String yaml = SloYaml.edit(after + "\n", after + "\n" + indent + "speling: x\n");

    List<String> problems = SloYaml.problems(dir, yaml);

    assertThat(problems).singleElement().asString()
        .startsWith(SloYaml.locate(yaml, "speling") + ": unknown key 'speling' (expected one of: ");
  }

  @Test
  void unknownKeysOfAlertObjectsAreReportedToo() {
    Path file = TestFiles.write(dir, "alerts.yaml", """
        - apiVersion: openslo/v1
          kind: AlertCondition
          metadata: {name: burn}
          spec:
            severity: page
            condition: {kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h, window: 5m}
        - apiVersion: openslo/v1
          kind: AlertNotificationTarget
          metadata: {name: pager, owner: me}
          spec: {target: pagerduty}
        """);
    Problems problems = new Problems();

    OpenSloCatalog.read(List.of(file), problems);

    String yaml = TestFiles.read(file);
    assertThat(problems.sorted()).extracting(Problem::toString).containsExactly(
        file + ":" + SloYaml.locate(yaml, "window:")
            + ": unknown key 'window' (expected one of: kind, op, threshold, lookbackWindow, alertAfter)",
        file + ":" + SloYaml.locate(yaml, "owner")
            + ": unknown key 'owner' (expected one of: name, displayName, labels, annotations)");
  }

  @Test
  void aFileMayHoldOneDocumentSeveralOrAListOfThem() {
    String doc = """
        apiVersion: openslo/v1
        kind: Service
        metadata: {name: NAME}
        spec: {description: d}
        """;
    Path single = TestFiles.write(dir, "single.yaml", doc.replace("NAME", "one"));
    Path several = TestFiles.write(dir, "several.yaml",
        doc.replace("NAME", "two") + "---\n" + doc.replace("NAME", "three"));
    Path list = TestFiles.write(dir, "list.yaml", "- " + doc.replace("NAME", "four").replace("\n", "\n  ")
        + "\n- " + doc.replace("NAME", "five").replace("\n", "\n  "));
    Problems problems = new Problems();

    OpenSloCatalog catalog = OpenSloCatalog.read(List.of(single, several, list), problems);

    assertThat(problems.sorted()).isEmpty();
    assertThat(catalog.names("Service")).containsExactly("one", "two", "three", "four", "five");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "a scalar document | just text | 1:1 | an OpenSLO document must be a mapping (key: value), found 'just text'",
      "an empty list | [] | 1:1 | the list holds no OpenSLO document",
      "another version | 'apiVersion: openslo/v2alpha\nkind: SLO\nmetadata: {name: a}\nspec: {}' | 1:13"
          + " | apiVersion must be 'openslo/v1', found 'openslo/v2alpha' (Tandem reads OpenSLO v1)",
      "an unknown kind | 'apiVersion: openslo/v1\nkind: Budget\nmetadata: {name: a}\nspec: {}' | 2:7 | unknown"
          + " OpenSLO kind 'Budget' (expected one of AlertCondition, AlertNotificationTarget, AlertPolicy,"
          + " DataSource, SLI, SLO, Service)",
      "a name that is no label | 'apiVersion: openslo/v1\nkind: Service\nmetadata: {name: My_Service}\nspec: {}'"
          + " | 3:18 | name 'My_Service' must be an RFC 1123 label: at most 63 lowercase letters, digits and"
          + " '-', starting and ending with a letter or digit",
      "a DataSource without details | 'apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: p}\nspec:"
          + " {type: Prometheus}' | 4:7 | missing required key 'connectionDetails'"})
  void malformedDocumentsAreProblems(String what, String yaml, String at, String message) {
    Path file = TestFiles.write(dir, "doc.yaml", yaml);
    Problems problems = new Problems();

    OpenSloCatalog catalog = OpenSloCatalog.read(List.of(file), problems);

    assertThat(problems.sorted()).extracting(Problem::toString)
        .containsExactly(file + ":" + at + ": " + message);
    assertThat(catalog.slos()).isEmpty();
  }

  /** Each row edits the valid template; the problem stands at the first {@code token} of the result. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "budgetingMethod | 'budgetingMethod: Occurrences' | 'budgetingMethod: occurrences' | occurrences"
          + " | budgetingMethod must be Occurrences, Timeslices or RatioTimeslices, found 'occurrences'",
      "duration form | 'duration: 28d' | 'duration: 28 days' | 28 days"
          + " | 'duration' must be a whole number and one of m, h, d, w, M, Q, Y (e.g. 5m, 1h, 28d, 1M), found '28 days'",
      "zero duration | 'duration: 28d' | 'duration: 0d' | 0d"
          + " | 'duration' must be a whole number and one of m, h, d, w, M, Q, Y (e.g. 5m, 1h, 28d, 1M), found '0d'",
      "rolling with calendar | 'isRolling: true' | 'isRolling: true\n      calendar: {startTime: \"2026-01-01 00:00:00\", timeZone: UTC}'"
          + " | calendar | 'calendar' cannot be set when 'isRolling' is true",
      "calendar missing | 'isRolling: true' | 'isRolling: false' | duration | 'calendar' must be set when 'isRolling' is false",
      "neither rolling nor calendar | '\n      isRolling: true' | '' | duration"
          + " | a time window needs 'isRolling: true' (rolling) or a 'calendar' (calendar-aligned)",
      "calendar start time | 'isRolling: true' | 'isRolling: false\n      calendar: {startTime: 2026-01-01T00:00, timeZone: UTC}'"
          + " | 2026 | startTime must be 'YYYY-MM-DD hh:mm:ss' (24-hour clock, no time zone), found '2026-01-01T00:00'",
      "calendar time zone | 'isRolling: true' | 'isRolling: false\n      calendar: {startTime: \"2026-01-01 00:00:00\", timeZone: Mars/Olympus}'"
          + " | Mars | timeZone must be an IANA time zone name such as America/New_York, found 'Mars/Olympus'",
      "calendar of hours | 'duration: 28d\n      isRolling: true' | 'duration: 12h\n      calendar: {startTime: \"2026-01-01 00:00:00\", timeZone: UTC}'"
          + " | 12h | a calendar window lasts days, weeks, months, quarters or years, not '12h' (for hours, use a rolling window: isRolling: true)",
      "two windows | '    - duration: 28d\n      isRolling: true' | '    - {duration: 28d, isRolling: true}\n    - {duration: 7d, isRolling: true}'"
          + " | '- {duration: 28d' | timeWindow must hold exactly one window, found 2",
      "target and percent | 'target: 0.999' | 'target: 0.999\n      targetPercent: 99.9' | targetPercent"
          + " | give either 'target' or 'targetPercent', not both",
      "no target | '      target: 0.999\n' | '' | displayName: Works"
          + " | an objective needs 'target' (e.g. 0.999) or 'targetPercent' (e.g. 99.9)",
      "target of one | 'target: 0.999' | 'target: 1.0' | 1.0 | target must be above 0 and below 1, found 1.0",
      "percent of a hundred | 'target: 0.999' | 'targetPercent: 100' | 100 | targetPercent must be above 0 and below 100, found 100",
      "target not a number | 'target: 0.999' | 'target: high' | high | 'target' must be a number, found 'high'",
      "op unknown | 'target: 0.999' | 'target: 0.999\n      op: above' | above | op must be lt, lte, gt or gte, found 'above'",
      "timeslices without slice target | 'budgetingMethod: Occurrences\n  objectives:\n    - displayName: Works'"
          + " | 'budgetingMethod: Timeslices\n  objectives:\n    - displayName: Works\n      timeSliceWindow: 1m' | displayName: Works"
          + " | an objective of budgetingMethod Timeslices needs 'timeSliceTarget' (the ratio a time slice needs to count as good)",
      "ratio timeslices without window | 'budgetingMethod: Occurrences' | 'budgetingMethod: RatioTimeslices' | displayName: Works"
          + " | an objective of budgetingMethod RatioTimeslices needs 'timeSliceWindow' (e.g. 1m)",
      "slice as long as the window | 'target: 0.999' | 'target: 0.999\n      timeSliceWindow: 4w' | 4w"
          + " | timeSliceWindow must be shorter than the SLO's time window (28d)",
      "slice target above one | 'target: 0.999' | 'target: 0.999\n      timeSliceTarget: 1.5' | 1.5"
          + " | timeSliceTarget must be above 0 and at most 1, found 1.5",
      "no objectives | '    - displayName: Works\n      target: 0.999\n' | '    []\n' | []"
          + " | objectives must hold at least one objective",
      "indicator and ref | '  indicator:' | '  indicatorRef: checkout-ok\n  indicator:' | indicatorRef"
          + " | give either 'indicator' or 'indicatorRef', not both",
      "composite objective | 'target: 0.999' | 'target: 0.999\n      indicatorRef: other' | indicatorRef"
          + " | 'indicatorRef' in an objective makes a composite SLO, which Tandem does not serve: give the SLO one 'indicator' or 'indicatorRef' in its spec",
      "good and bad | '        total:' | '        bad: {metricSource: {type: tandem, spec: {source: probe}}}\n        total:' | bad"
          + " | give either 'good' or 'bad', not both",
      "rawType without raw | 'counter: true' | 'counter: true\n        rawType: success' | rawType | 'rawType' goes only with 'raw'",
      "metric source without spec | '            spec: {source: probe, journey: checkout}\n        total:' | '        total:'"
          + " | type: tandem | missing required key 'spec'",
      "metric source without type | '            type: tandem\n            spec: {source: probe, journey: checkout}\n        total:'"
          + " | '            spec: {source: probe, journey: checkout}\n        total:' | spec: {source"
          + " | a metricSource needs a 'type' (e.g. tandem) or a 'metricSourceRef' naming a DataSource",
      "missing service | '  service: shop\n' | '' | indicator: | missing required key 'service'"})
  void invalidFieldIsReportedWhereItStands(String what, String find, String replace, String token, String message) {
    String yaml = SloYaml.edit(find.replace("\\n", "\n"), replace.replace("\\n", "\n"));

    List<String> problems = SloYaml.problems(dir, yaml);

    assertThat(problems).containsExactly(SloYaml.locate(yaml, token.replace("\\n", "\n")) + ": " + message);
  }
}
