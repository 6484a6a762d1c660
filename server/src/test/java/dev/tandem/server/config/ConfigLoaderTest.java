package dev.tandem.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.yaml.Problem;
import dev.tandem.server.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir
  Path dir;

  private Validation.Result check(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("tandem.yaml");
    Files.writeString(file, yaml);
    return Validation.check(file, new ConfigLoader(env::get));
  }

  private static List<String> lines(Validation.Result r) {
    return r.problems().sorted().stream().map(Problem::toString).toList();
  }

  @Test
  void demoConfigIsValid() {
    Validation.Result r = Validation.check(TestConfigs.DEMO.resolve("tandem.yaml"), new ConfigLoader(name -> null));
    assertThat(r.problems().sorted()).isEmpty();
    assertThat(r.journeys()).containsOnlyKeys("order-to-invoice", "stock-lookup", "standby-readiness");
    assertThat(r.config().get().domains()).hasSize(1);
  }

  @Test
  void everyProblemIsReportedWithFileLineAndColumn() throws Exception {
    Validation.Result r = check("""
        observer: {id: obs, cloud: primary}
        clouds:
          primary: {region: eu-west}
          secondary: {region: eu-central, zone: b}
        domains:
          - id: order-platform
            active: primary
            standby: tertiary
            rpoSeconds: -5
            journeys: [no-such-journey]
        paths:
          - {id: path-a, cloud: primary, otlp: {httpPort: 99999}}
        engine: {tickSeconds: 5, quorum: 2, holdDown: 30}
        colour: blue
        """, Map.of());
    String f = dir.resolve("tandem.yaml").toString();
    assertThat(lines(r)).contains(
        f + ":4:35: unknown key 'zone' (expected one of: region)",
        f + ":8:14: standby names unknown cloud 'tertiary' (clouds: primary, secondary)",
        f + ":9:17: 'rpoSeconds' must be between 0 and 86400, found -5",
        f + ":12:51: 'httpPort' must be between 0 and 65535, found 99999",
        f + ":14:1: unknown key 'colour' (expected one of: clouds, observer, domains, paths, synthetics, slos, engine, paging, storage, api, recording, maintenance, roles)");
    assertThat(lines(r)).anyMatch(l -> l.startsWith(f + ":13:37: unknown key 'holdDown'"));
    assertThat(r.ok()).isFalse();
  }

  @Test
  void followingAnObserverIsForProbesOnlyProcesses() throws Exception {
    Path config = TestConfigs.fastDemo(dir, "roles: [synthetics]\n");
    String yaml = Files.readString(config).replace("journeys: [\"", "follow: {url: \"http://127.0.0.1:8080\", token: t}\n  journeys: [\"");
    Files.writeString(config, yaml);
    Validation.Result probesOnly = Validation.check(config, new ConfigLoader(name -> null));
    assertThat(probesOnly.problems().sorted()).isEmpty();
    assertThat(probesOnly.config().orElseThrow().synthetics().orElseThrow().follow().orElseThrow().url())
        .isEqualTo("http://127.0.0.1:8080");
    Files.writeString(config, yaml.replace("roles: [synthetics]", "roles: [synthetics, engine]")
        .replace("url: \"http://127.0.0.1:8080\"", "url: \"ftp://x\", colour: red"));
    List<String> problems = lines(Validation.check(config, new ConfigLoader(name -> null)));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("synthetics.follow is for probes-only processes"))
        .anySatisfy(p -> assertThat(p).contains("unknown key 'colour'"))
        .anySatisfy(p -> assertThat(p).contains("ftp://x"));
  }

  @Test
  void yamlSyntaxErrorNamesItsPlace() throws Exception {
    Validation.Result r = check("observer: {id: obs\nclouds: [\n", Map.of());
    assertThat(lines(r)).hasSize(1);
    assertThat(lines(r).get(0)).startsWith(dir.resolve("tandem.yaml") + ":").contains("YAML syntax");
  }

  @Test
  void missingEnvironmentVariableIsReportedWithoutAValue() throws Exception {
    Validation.Result r = check("""
        observer: {id: obs, cloud: primary}
        clouds: {primary: {}, secondary: {}}
        api: {readTokens: ["${env:TANDEM_READ}"], adminTokens: ["${env:TANDEM_ADMIN}"]}
        """, Map.of("TANDEM_ADMIN", "s3cret-admin"));
    assertThat(lines(r)).singleElement().asString()
        .contains("environment variable TANDEM_READ is not set").doesNotContain("s3cret");
  }

  @Test
  void secretsResolveAndNeverPrint() throws Exception {
    Files.writeString(dir.resolve("admin.token"), "file-secret\n");
    Validation.Result r = check("""
        observer: {id: obs, cloud: primary}
        clouds: {primary: {}, secondary: {}}
        api: {readTokens: ["${env:TANDEM_READ}"], adminTokens: ["${file:admin.token}"]}
        """, Map.of("TANDEM_READ", "env-secret"));
    assertThat(r.problems().sorted()).isEmpty();
    TandemConfig.Api api = r.config().get().api();
    assertThat(api.readTokens().get(0).matches("env-secret")).isTrue();
    assertThat(api.adminTokens().get(0).matches("file-secret")).isTrue();
    assertThat(api.toString()).doesNotContain("secret").contains("****");
  }

  @Test
  void quorumThatVantagesCannotReachIsRejected() throws Exception {
    Validation.Result r = check("""
        observer: {id: obs, cloud: primary}
        clouds: {primary: {}, secondary: {}}
        synthetics:
          vantages: [{id: a, provider: x, region: eu}, {id: b, provider: x, region: eu}]
          targets: {primary: "http://127.0.0.1:9001", secondary: "http://127.0.0.1:9002"}
        engine: {quorum: 2}
        """, Map.of());
    assertThat(lines(r)).anyMatch(l -> l.contains("only 1 independent provider/region pairs"));
  }
}
