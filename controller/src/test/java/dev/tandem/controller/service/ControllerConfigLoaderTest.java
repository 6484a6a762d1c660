package dev.tandem.controller.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.yaml.Problem;
import dev.tandem.engine.yaml.Problems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerConfigLoaderTest {
  @TempDir
  Path dir;

  private Problems problems = new Problems();

  private Optional<ControllerConfig> load(String yaml) throws Exception {
    Path file = dir.resolve("controller.yaml");
    Files.writeString(file, yaml);
    problems = new Problems();
    return new ControllerConfigLoader(Map.of("TOK", "s3cret-token")::get).read(file, problems);
  }

  @Test
  void aGoodConfigLoadsWithDefaultsAndResolvedPaths() throws Exception {
    ControllerConfig c = load("""
        observers:
          - {id: a, url: "http://127.0.0.1:8080/", token: "${env:TOK}"}
          - {id: b, url: "http://127.0.0.1:8081"}
          - {id: c, url: "http://127.0.0.1:8082"}
        domains:
          - {id: order-platform, clouds: [primary, secondary], active: primary}
        switch: {simulator: "http://127.0.0.1:9000"}
        gateFile: gate
        """).orElseThrow();
    assertThat(problems.isEmpty()).as(problems.toString()).isTrue();
    assertThat(c.quorum()).isEqualTo(2);
    assertThat(c.antiFlap()).isEqualTo(Duration.ofSeconds(300));
    assertThat(c.pollInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.observers().get(0).url()).isEqualTo("http://127.0.0.1:8080");
    assertThat(c.observers().get(0).token().orElseThrow().reveal()).isEqualTo("s3cret-token");
    assertThat(c.observers().get(0).token().orElseThrow().toString()).isEqualTo("****");
    assertThat(c.gateFile()).contains(dir.resolve("gate"));
    assertThat(c.decisionLog()).isEqualTo(dir.resolve("controller-decisions.jsonl"));
    assertThat(c.id()).isEqualTo(ControllerConfig.DEFAULT_ID);
  }

  @Test
  void theControllersIdIsWhatObserversAcceptAsItsName() throws Exception {
    String yaml = """
        observers: [{id: a, url: "http://127.0.0.1:1"}, {id: b, url: "http://127.0.0.1:2"}, {id: c, url: "http://127.0.0.1:3"}]
        domains: [{id: d, clouds: [x, y], active: x}]
        switch: {simulator: "http://127.0.0.1:9000"}
        id: %s
        """;
    assertThat(load(yaml.formatted("controller-eu@dc1")).orElseThrow().id()).isEqualTo("controller-eu@dc1");
    assertThat(load(yaml.formatted("\"two words\""))).isEmpty();
    assertThat(problems.toString()).matches("(?s).*controller.yaml:4:\\d+: id must be 1 to 128 letters.*");
  }

  @Test
  void everyProblemIsReportedWithItsLineAndColumn() throws Exception {
    Optional<ControllerConfig> c = load("""
        observers:
          - {id: a, url: "ftp://x", tokn: x}
          - {id: a, url: "http://127.0.0.1:1", token: "${env:MISSING}"}
        domains:
          - {id: d, clouds: [primary], active: primary}
        quorum: 5
        antiFlapSeconds: -1
        switch: {simulator: "http://127.0.0.1:9000"}
        colour: blue
        """);
    assertThat(c).isEmpty();
    assertThat(problems.sorted()).extracting(Problem::toString).anySatisfy(p -> assertThat(p)
        .matches(".*controller.yaml:2:\\d+: url must be an http\\(s\\) URL.*"))
        .anySatisfy(p -> assertThat(p).matches(".*controller.yaml:2:\\d+: unknown key 'tokn'.*"))
        .anySatisfy(p -> assertThat(p).matches(".*controller.yaml:3:\\d+: duplicate observer id 'a'"))
        .anySatisfy(p -> assertThat(p).contains("environment variable MISSING is not set"))
        .anySatisfy(p -> assertThat(p).matches(".*controller.yaml:5:\\d+: domain d: needs at least two distinct clouds.*"))
        .anySatisfy(p -> assertThat(p).matches(".*controller.yaml:6:\\d+: quorum 5 is more than the 2 observers.*"))
        .anySatisfy(p -> assertThat(p).matches(".*controller.yaml:7:\\d+: 'antiFlapSeconds' must be between.*"))
        .anySatisfy(p -> assertThat(p).matches(".*controller.yaml:9:\\d+: unknown key 'colour'.*"));
    assertThat(problems.toString()).doesNotContain("s3cret");
  }

  @Test
  void twoEntriesForTheSameObserverUrlAreRejected() throws Exception {
    Optional<ControllerConfig> c = load("""
        observers:
          - {id: a, url: "http://127.0.0.1:8080"}
          - {id: b, url: "http://127.0.0.1:8081"}
          - {id: c, url: "http://127.0.0.1:8080/"}
        domains: [{id: d, clouds: [x, y], active: x}]
        switch: {simulator: "http://127.0.0.1:9000"}
        """);
    assertThat(c).isEmpty();
    assertThat(problems.sorted()).extracting(Problem::toString).containsExactly(
        dir.resolve("controller.yaml") + ":4:18: observer 'c' has the same url as observer 'a': one observer must"
            + " not vote twice");
  }

  @Test
  void credentialsInAUrlAreRejectedAndNeverRepeated() throws Exception {
    Optional<ControllerConfig> c = load("""
        observers:
          - {id: a, url: "http://admin:hunter2@127.0.0.1:8080"}
          - {id: b, url: "http://127.0.0.1:8081"}
        domains: [{id: d, clouds: [x, y], active: x}]
        switch: {simulator: "https://ops:hunter2@sim.example.net"}
        """);
    assertThat(c).isEmpty();
    assertThat(problems.sorted()).extracting(Problem::toString).containsExactly(
        dir.resolve("controller.yaml") + ":2:18: url must not carry credentials (user:password@): they would be"
            + " shown on /status and in logs; put a bearer token in 'token:' instead",
        dir.resolve("controller.yaml") + ":5:21: switch.simulator must not carry credentials (user:password@):"
            + " they would be shown on /status and in logs; put a bearer token in 'token:' instead");
    assertThat(problems.toString()).doesNotContain("hunter2", "admin:", "ops:");
  }

  @Test
  void aConfigBuiltInCodeRejectsCredentialsInUrlsToo() {
    List<String> errors = new ArrayList<>();
    for (String url : List.of("http://u:p@127.0.0.1:1", "http://u@127.0.0.1:1", "ftp://127.0.0.1")) {
      try {
        new ControllerConfig.Observer("a", url, Optional.empty());
      } catch (IllegalArgumentException e) {
        errors.add(e.getMessage());
      }
    }
    assertThat(errors).containsExactly("observer a url must not carry credentials (user:password@)",
        "observer a url must not carry credentials (user:password@)", "observer a url must be an http(s) URL");
  }

  @Test
  void aQuorumThatIsNotAMajorityIsRefusedWhereItIsWritten() throws Exception {
    Optional<ControllerConfig> c = load("""
        observers:
          - {id: a, url: "http://127.0.0.1:8080"}
          - {id: b, url: "http://127.0.0.1:8081"}
          - {id: c, url: "http://127.0.0.1:8082"}
          - {id: d, url: "http://127.0.0.1:8083"}
          - {id: e, url: "http://127.0.0.1:8084"}
        domains: [{id: d, clouds: [x, y], active: x}]
        switch: {simulator: "http://127.0.0.1:9000"}
        quorum: 2
        """);
    assertThat(c).isEmpty();
    assertThat(problems.sorted()).extracting(Problem::toString).containsExactly(dir.resolve("controller.yaml")
        + ":9:9: quorum 2 is not a majority of the 5 observers (at least 3 needed): two disjoint groups of observers"
        + " could each switch on their own view; raise the quorum, or set allowMinorityQuorum: true to accept that"
        + " risk");
  }

  @Test
  void theDefaultQuorumMustBeAMajorityTooAndIsReportedAtTheObservers() throws Exception {
    Optional<ControllerConfig> c = load("""
        domains: [{id: d, clouds: [x, y], active: x}]
        observers:
          - {id: a, url: "http://127.0.0.1:8080"}
          - {id: b, url: "http://127.0.0.1:8081"}
          - {id: c, url: "http://127.0.0.1:8082"}
          - {id: d, url: "http://127.0.0.1:8083"}
        switch: {simulator: "http://127.0.0.1:9000"}
        """);
    assertThat(c).isEmpty();
    assertThat(problems.sorted()).extracting(Problem::toString).singleElement().asString()
        .matches(".*controller.yaml:3:\\d+: the default quorum 2 is not a majority of the 4 observers \\(at least 3.*");
  }

  @Test
  void halfOfTheObserversIsNotEnoughEvenForTwo() throws Exception {
    assertThat(load("""
        observers: [{id: a, url: "http://127.0.0.1:1"}, {id: b, url: "http://127.0.0.1:2"}]
        domains: [{id: d, clouds: [x, y], active: x}]
        switch: {simulator: "http://127.0.0.1:9000"}
        quorum: 1
        """)).isEmpty();
    assertThat(problems.toString()).contains("quorum 1 is not a majority of the 2 observers (at least 2 needed)");
    // Three observers: 2 is a majority.
    assertThat(load("""
        observers: [{id: a, url: "http://127.0.0.1:1"}, {id: b, url: "http://127.0.0.1:2"}, {id: c, url: "http://127.0.0.1:3"}]
        domains: [{id: d, clouds: [x, y], active: x}]
        switch: {simulator: "http://127.0.0.1:9000"}
        quorum: 2
        """)).isPresent();
  }

  @Test
  void allowMinorityQuorumLetsItThroughWithAWarningForEveryStart() throws Exception {
    ControllerConfig c = load("""
        observers:
          - {id: a, url: "http://127.0.0.1:8080"}
          - {id: b, url: "http://127.0.0.1:8081"}
          - {id: c, url: "http://127.0.0.1:8082"}
          - {id: d, url: "http://127.0.0.1:8083"}
          - {id: e, url: "http://127.0.0.1:8084"}
        domains: [{id: d, clouds: [x, y], active: x}]
        switch: {simulator: "http://127.0.0.1:9000"}
        quorum: 2
        allowMinorityQuorum: true
        """).orElseThrow();
    assertThat(problems.isEmpty()).as(problems.toString()).isTrue();
    assertThat(c.allowMinorityQuorum()).isTrue();
    assertThat(c.minorityQuorumWarning()).hasValueSatisfying(w -> assertThat(w)
        .contains("allowMinorityQuorum", "quorum 2 is not a majority of the 5 observers"));
    assertThat(c.withEphemeralPort().allowMinorityQuorum()).as("kept by copies").isTrue();
  }

  @Test
  void aConfigBuiltInCodeRefusesAMinorityQuorumToo() throws Exception {
    ControllerConfig c = load("""
        observers:
          - {id: a, url: "http://127.0.0.1:8080"}
          - {id: b, url: "http://127.0.0.1:8081"}
          - {id: c, url: "http://127.0.0.1:8082"}
        domains: [{id: d, clouds: [x, y], active: x}]
        switch: {simulator: "http://127.0.0.1:9000"}
        """).orElseThrow();
    assertThat(c.minorityQuorumWarning()).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ControllerConfig(c.file(), c.observers(), c.domains(),
            1, c.pollInterval(), c.timeout(), c.antiFlap(), c.gateFile(), c.simulatorAdminUrl(), c.decisionLog(),
            c.reportAttempts(), c.api()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quorum 1 is not a majority of the 3");
  }

  @Test
  void aMissingSwitchIsAProblem() throws Exception {
    load("""
        observers: [{id: a, url: "http://127.0.0.1:1"}]
        domains: [{id: d, clouds: [x, y], active: x}]
        quorum: 1
        """);
    assertThat(problems.toString()).contains("missing key 'switch'");
  }
}
