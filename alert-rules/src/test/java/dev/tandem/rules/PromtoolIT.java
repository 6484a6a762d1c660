package dev.tandem.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tandem.engine.slo.BudgetingMethod;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's real {@code promtool} on the committed demo rules and on rules with awkward SLO names.
 * Without promtool on PATH this skips, saying so; with {@code CI=true} a missing promtool fails.
 */
class PromtoolIT {
  private static final Path DEMO = Path.of("demo");
  private static Path promtool;

  @TempDir
  Path dir;

  @BeforeAll
  static void findPromtool() {
    Optional<Path> found = onPath("promtool");
    if (found.isEmpty() && "true".equals(System.getenv("CI"))) {
      fail("promtool is not on PATH but CI=true: install Debian's 'prometheus' package (it ships promtool)");
    }
    String skipped = "promtool is not on PATH: skipping the promtool rule checks"
        + " (install Debian's 'prometheus' package to run them)";
    if (found.isEmpty()) {
      System.err.println("PromtoolIT: " + skipped); // a skipped class shows no reason in Maven's summary
    }
    assumeTrue(found.isPresent(), skipped);
    promtool = found.get();
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(File.pathSeparator)) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private record Result(int exit, String output) {}

  private static Result promtool(Path workDir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(promtool.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Result(p.exitValue(), output);
  }

  @Test
  void committedDemoRulesPassPromtoolCheck() throws Exception {
    Result r = promtool(DEMO, "check", "rules", "tandem-slo-rules.yaml");
    assertThat(r.exit()).as(r.output()).isZero();
    // 3 SLOs x (7 recording rules + 4 burn-rate alerts + 1 no-data alert).
    assertThat(r.output()).contains("SUCCESS: 36 rules found");
  }

  @Test
  void demoRuleUnitTestsPass() throws Exception {
    Result r = promtool(DEMO, "test", "rules", "tandem-slo-rules.test.yaml");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void rulesForAwkwardNamesAndShortPeriodsPassPromtoolCheck() throws Exception {
    Files.writeString(dir.resolve("rules.yaml"), PrometheusRules.generate(List.of(
        PrometheusRulesTest.slo("orders/p99 latency", Duration.ofDays(28), "0.99", BudgetingMethod.OCCURRENCES),
        PrometheusRulesTest.slo("orders_p99_latency", Duration.ofDays(30), "0.999", BudgetingMethod.TIMESLICES),
        PrometheusRulesTest.slo("it's \"quoted\"", Duration.ofMinutes(30), "0.9",
            BudgetingMethod.RATIO_TIMESLICES))));
    Result r = promtool(dir, "check", "rules", "rules.yaml");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: 36 rules found");
  }

  @Test
  void verdictRulesPassPromtoolCheckAndTheirUnitTests() throws Exception {
    Result check = promtool(DEMO, "check", "rules", "tandem-verdict-rules.yaml");
    assertThat(check.exit()).as(check.output()).isZero();
    Result test = promtool(DEMO, "test", "rules", "tandem-verdict-rules.test.yaml");
    assertThat(test.exit()).as(test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS");
  }

  @Test
  void exampleAlertmanagerConfigPassesAmtoolAndRoutesBySeverity() throws Exception {
    Optional<Path> amtool = onPath("amtool");
    if (amtool.isEmpty() && "true".equals(System.getenv("CI"))) {
      fail("amtool is not on PATH but CI=true: install Debian's 'prometheus-alertmanager' package");
    }
    assumeTrue(amtool.isPresent(), "amtool is not on PATH (Debian's 'prometheus-alertmanager')");
    Result check = run(amtool.get(), "check-config", "alertmanager.yml");
    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS").contains("1 inhibit rules");
    assertThat(run(amtool.get(), "config", "routes", "test", "--config.file=alertmanager.yml",
        "severity=page", "alertname=TandemSloBurnRate_orders_page_fast").output().trim()).endsWith("pagerduty");
    assertThat(run(amtool.get(), "config", "routes", "test", "--config.file=alertmanager.yml",
        "severity=critical", "alertname=TandemCloudWideOutage").output().trim()).endsWith("pagerduty");
    assertThat(run(amtool.get(), "config", "routes", "test", "--config.file=alertmanager.yml",
        "severity=ticket", "alertname=TandemSloNoData_orders").output().trim()).endsWith("ticket");
  }

  private static Result run(Path tool, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(tool.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(DEMO.toFile()).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("tool finished").isTrue();
    return new Result(p.exitValue(), output);
  }

  @Test
  void promtoolRejectsABrokenRuleFileSoTheseChecksCanFail() throws Exception {
    Files.writeString(dir.resolve("broken.yaml"), PrometheusRules.generate(List.of(
        PrometheusRulesTest.slo("orders", Duration.ofDays(28), "0.99", BudgetingMethod.OCCURRENCES)))
        .replace("> 0.1344)", "> )"));
    Result r = promtool(dir, "check", "rules", "broken.yaml");
    assertThat(r.exit()).as(r.output()).isNotZero();
  }
}
