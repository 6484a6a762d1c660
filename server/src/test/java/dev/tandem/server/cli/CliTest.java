package dev.tandem.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), name -> null).run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void validateAcceptsTheDemoConfig() {
    assertThat(run("validate", "--config", TestConfigs.DEMO.resolve("tandem.yaml").toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("OK (1 domain(s), 2 path(s), 3 journey(s), 3 SLO(s))");
  }

  @Test
  void validatePrintsEveryProblemAndExitsOne() throws Exception {
    Path journeys = Files.createDirectories(dir.resolve("journeys"));
    Files.writeString(journeys.resolve("bad.yaml"), """
        journey: broken
        steps:
          - name: a
            request: {method: FETCH, path: /x}
            expect: {status: [200], colour: red}
        """);
    Path config = dir.resolve("tandem.yaml");
    Files.writeString(config, """
        observer: {id: obs, cloud: primary}
        clouds: {primary: {}, secondary: {}}
        domains: [{id: d, active: primary, standby: secondary, journeys: [missing]}]
        synthetics:
          vantages: [{id: a, provider: p1}, {id: b, provider: p2}]
          targets: {primary: "http://127.0.0.1:9001", secondary: "not a url"}
          journeys: ["journeys/*.yaml"]
        """);
    assertThat(run("validate", "--config", config.toString())).isEqualTo(Cli.INVALID_INPUT);
    String[] lines = err().split("\n");
    assertThat(lines).anyMatch(l -> l.startsWith(config + ":3:") && l.contains("journey 'missing' is not defined"));
    assertThat(lines).anyMatch(l -> l.startsWith(config + ":6:") && l.contains("not a url"));
    assertThat(lines).anyMatch(l -> l.startsWith(journeys.resolve("bad.yaml") + ":4:") && l.contains("FETCH"));
    assertThat(lines).anyMatch(l -> l.startsWith(journeys.resolve("bad.yaml") + ":5:") && l.contains("colour"));
    assertThat(lines[lines.length - 1]).matches("\\d+ problem\\(s\\) found");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("frobnicate")).isEqualTo(Cli.USAGE);
    assertThat(run("validate")).isEqualTo(Cli.USAGE);
    assertThat(err()).contains("missing required option --config");
    assertThat(run("demo", "--scenario", "meteor-strike")).isEqualTo(Cli.USAGE);
    assertThat(err()).contains("unknown scenario 'meteor-strike'").contains("cloud-outage");
  }

  @Test
  void replayWritesVerdictsAndReportsBadLinesByNumber() throws Exception {
    Path log = dir.resolve("obs.jsonl");
    Files.writeString(log, String.join("\n",
        "{\"ts\":\"2026-11-26T10:00:00Z\",\"type\":\"heartbeat\",\"path\":\"path-a\",\"cloud\":\"primary\"}",
        "{\"ts\":\"2026-11-26T10:00:01Z\",\"type\":\"probe\",\"run\":\"r1\",\"journey\":\"order-to-invoice\","
            + "\"step\":\"submit-order\",\"cloud\":\"primary\",\"vantage\":\"ext-1\",\"ok\":true,\"latencyMs\":84}",
        "garbage",
        "{\"ts\":\"2026-11-26T09:00:00Z\",\"type\":\"heartbeat\",\"path\":\"path-a\",\"cloud\":\"primary\"}",
        "{\"ts\":\"2026-11-26T10:00:30Z\",\"type\":\"heartbeat\",\"path\":\"path-b\",\"cloud\":\"secondary\"}"));
    Path out = dir.resolve("out.jsonl");
    int code = run("replay", "--config", TestConfigs.DEMO.resolve("tandem.yaml").toString(), "--input", log.toString(),
        "--output", out.toString());
    assertThat(code).isEqualTo(Cli.INVALID_INPUT);
    assertThat(err()).contains(log + ":3: not JSON").contains(log + ":4: out of order")
        .contains("replayed 3 observations (5 lines, 2 skipped)");
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).isNotEmpty().allMatch(l -> l.contains("\"type\":\"verdict\"") || l.contains("\"type\":\"page\""));
    assertThat(lines.get(0)).contains("\"ts\":\"2026-11-26T10:00:00Z\"");
  }

  @Test
  void rulesWritesPrometheusRulesForEverySlo() throws Exception {
    Path output = dir.resolve("rules");
    assertThat(run("rules", "--config", TestConfigs.DEMO.resolve("tandem.yaml").toString(), "--output",
        output.toString())).isZero();
    Path file = output.resolve("tandem-slo-rules.yaml");
    assertThat(out()).contains(file.toString()).contains("3 SLO objective(s)");
    assertThat(Files.readString(file))
        .contains("alert: TandemSloBurnRate_order_submission_availability_page_fast")
        .contains("alert: TandemSloNoData_inventory_api_availability")
        .contains("> 0.01344)");
  }

  @Test
  void committedDemoRulesMatchWhatTheDemoConfigGenerates() throws Exception {
    // CI catches drift: regenerate with ./tandem rules --config examples/demo/tandem.yaml --output alert-rules/demo
    Path committed = TestConfigs.DEMO.getParent().getParent().resolve("alert-rules/demo/tandem-slo-rules.yaml");
    assertThat(run("rules", "--config", TestConfigs.DEMO.resolve("tandem.yaml").toString(), "--output",
        dir.toString())).isZero();
    assertThat(Files.readString(dir.resolve("tandem-slo-rules.yaml")))
        .as("%s is out of date: regenerate it with ./tandem rules --config examples/demo/tandem.yaml"
            + " --output alert-rules/demo", committed)
        .isEqualTo(Files.readString(committed));
  }

  @Test
  void rulesRejectsAnInvalidConfigAndMissingOptions() throws Exception {
    Path config = Files.writeString(dir.resolve("broken.yaml"), "observer: [\n");
    assertThat(run("rules", "--config", config.toString(), "--output", dir.resolve("out").toString()))
        .isEqualTo(Cli.INVALID_INPUT);
    assertThat(err()).contains("broken.yaml");
    assertThat(dir.resolve("out")).doesNotExist();
    assertThat(run("rules", "--config", config.toString())).isEqualTo(Cli.USAGE);
  }

  /**
   * The catalogue a user can replay: the config `tandem catalogue` writes describes the same
   * observer as the catalogue's tests, and replaying a written log through the CLI gives the pages
   * the catalogue expects.
   */
  @Test
  void catalogueWritesLogsThatReplayAsTheCatalogueSays() throws Exception {
    Path out = dir.resolve("catalogue");
    assertThat(run("catalogue", "--output", out.toString(), "--case", "brownout-35")).isZero();
    assertThat(out()).contains("brownout-35.jsonl");
    Path config = out.resolve("tandem.yaml");
    dev.tandem.server.config.Validation.Result valid = dev.tandem.server.config.Validation.check(config,
        new dev.tandem.server.config.ConfigLoader(name -> null));
    assertThat(valid.problems().sorted()).isEmpty();
    dev.tandem.engine.judge.EngineSpec spec = dev.tandem.server.TandemNode.engineSpec(valid.config().orElseThrow());
    dev.tandem.engine.judge.EngineSpec fleet = dev.tandem.catalogue.Fleet.spec();
    assertThat(spec.settings()).isEqualTo(fleet.settings());
    assertThat(spec.vantages()).isEqualTo(fleet.vantages());
    assertThat(spec.domains()).isEqualTo(fleet.domains());
    assertThat(valid.sloSpecs()).extracting(dev.tandem.engine.slo.SloSpec::name, dev.tandem.engine.slo.SloSpec::target,
            dev.tandem.engine.slo.SloSpec::selector, dev.tandem.engine.slo.SloSpec::latencyThresholdMs)
        .containsExactlyInAnyOrderElementsOf(dev.tandem.catalogue.Fleet.slos().stream().map(s -> org.assertj.core.groups
            .Tuple.tuple(s.name(), s.target(), s.selector(), s.latencyThresholdMs())).toList());

    Path replayed = dir.resolve("replayed.jsonl");
    assertThat(run("replay", "--config", config.toString(), "--input", out.resolve("brownout-35.jsonl").toString(),
        "--output", replayed.toString())).as(err()).isZero();
    dev.tandem.catalogue.CatalogueRun.Outcome viaCli = dev.tandem.catalogue.CatalogueRun.read(
        dev.tandem.catalogue.GrayFailure.BROWNOUT_35, dev.tandem.catalogue.CatalogueLog.faultStart(java.time.Duration.ZERO),
        Files.readString(replayed), 0);
    dev.tandem.catalogue.CatalogueRun.Outcome direct = dev.tandem.catalogue.CatalogueRun.replay(
        dev.tandem.catalogue.GrayFailure.BROWNOUT_35, java.time.Duration.ZERO, 1);
    assertThat(viaCli.recommendations()).isEqualTo(direct.recommendations());
    assertThat(viaCli.pages()).isEqualTo(direct.pages());
  }

  @Test
  void catalogueRefusesAnUnknownCase() {
    assertThat(run("catalogue", "--output", dir.toString(), "--case", "meteor-strike")).isEqualTo(Cli.USAGE);
    assertThat(err()).contains("unknown case 'meteor-strike'").contains("brownout-35");
  }
}
