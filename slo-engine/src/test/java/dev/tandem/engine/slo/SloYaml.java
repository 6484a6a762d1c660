package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.Problem;
import dev.tandem.engine.yaml.Problems;
import java.nio.file.Path;
import java.util.List;

/** A valid tandem SLO to edit in tests, and where a token stands in the edited text. */
final class SloYaml {
  static final String TEMPLATE = """
      apiVersion: openslo/v1
      kind: SLO
      metadata:
        name: checkout
        displayName: Checkout works
      spec:
        service: shop
        indicator:
          metadata:
            name: checkout-ok
          spec:
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
        timeWindow:
          - duration: 28d
            isRolling: true
        budgetingMethod: Occurrences
        objectives:
          - displayName: Works
            target: 0.999
      """;

  private SloYaml() {}

  /** The template with the first {@code find} replaced (it must occur). */
  static String edit(String find, String replace) {
    if (!TEMPLATE.contains(find)) {
      throw new IllegalArgumentException("not in the template: " + find);
    }
    int at = TEMPLATE.indexOf(find);
    return TEMPLATE.substring(0, at) + replace + TEMPLATE.substring(at + find.length());
  }

  /** {@code LINE:COL} of the first {@code token} in {@code text}, counted independently of the reader. */
  static String locate(String text, String token) {
    return locate(text, token, "");
  }

  /** {@code LINE:COL} of the first {@code token} after the first {@code after}. */
  static String locate(String text, String token, String after) {
    int index = text.indexOf(token, text.indexOf(after) + after.length());
    if (index < 0) {
      throw new IllegalArgumentException("not in the text: " + token);
    }
    String before = text.substring(0, index);
    int line = before.split("\n", -1).length;
    int column = index - before.lastIndexOf('\n');
    return line + ":" + column;
  }

  /** Reads and compiles {@code yaml} as one file; every problem of both steps, as printed. */
  static List<String> problems(Path dir, String yaml) {
    Path file = TestFiles.write(dir, "slo.yaml", yaml);
    Problems problems = new Problems();
    OpenSloCatalog.read(List.of(file), problems).compile(problems);
    return problems.sorted().stream().map(Problem::toString)
        .map(p -> p.substring(file.toString().length() + 1)).toList();
  }
}
