package dev.tandem.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void validateAcceptsTheDemoConfig() {
    assertThat(run("validate", "--config", TestConfigs.DEMO.resolve("tandem.yaml").toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("OK (1 domain(s), 2 path(s), 2 journey(s), 2 SLO(s))");
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
  void commandsOfLaterMilestonesSayWhatIsMissing() {
    assertThat(run("replay", "--config", "x.yaml", "--input", "obs.jsonl")).isEqualTo(Cli.USAGE);
    assertThat(err()).contains("replay is not available in this build yet");
    assertThat(run("rules", "--config", "x.yaml", "--output", "out")).isEqualTo(Cli.USAGE);
    assertThat(err()).contains("rules is not available in this build yet");
  }
}
