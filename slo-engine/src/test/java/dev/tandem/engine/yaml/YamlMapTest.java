package dev.tandem.engine.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlMapTest {
  @TempDir
  Path dir;

  private YamlMap read(String text, Problems problems) throws Exception {
    Path file = dir.resolve("x.yaml");
    Files.writeString(file, text);
    return YamlFile.read(file, problems, ValueResolver.NONE).orElseThrow().asMap("root");
  }

  @Test
  void aMissingConfigFileIsOneProblemAtItsStart() {
    Problems problems = new Problems();
    Path missing = dir.resolve("absent.yaml");
    assertThat(YamlFile.readConfig(missing, problems, ValueResolver.NONE)).isEmpty();
    assertThat(problems.sorted()).singleElement().asString()
        .isEqualTo(missing + ":1:1: config file not found");
  }

  @Test
  void unknownKeysAreReportedAtTheKey() throws Exception {
    Problems problems = new Problems();
    YamlMap m = read("name: a\n  \nspeling: b\n", problems);
    assertThat(m.string("name")).contains("a");
    m.rejectUnknown();
    assertThat(problems.sorted()).singleElement().asString()
        .isEqualTo(dir.resolve("x.yaml") + ":3:1: unknown key 'speling' (expected one of: name)");
  }

  @Test
  void wrongShapesAndRangesAreProblemsNotExceptions() throws Exception {
    Problems problems = new Problems();
    YamlMap m = read("port: http\nlist: {a: 1}\nflag: maybe\n", problems);
    assertThat(m.integer("port", 80, 0, 65535)).isEqualTo(80);
    assertThat(m.list("list")).isEmpty();
    assertThat(m.bool("flag", false)).isFalse();
    assertThat(problems.sorted()).extracting(Problem::toString).containsExactly(
        dir.resolve("x.yaml") + ":1:7: 'port' must be a whole number, found 'http'",
        dir.resolve("x.yaml") + ":2:7: 'list' must be a list, found a mapping",
        dir.resolve("x.yaml") + ":3:7: 'flag' must be true or false, found 'maybe'");
  }

  @Test
  void duplicateKeysAndSyntaxErrorsCarryLocations() throws Exception {
    Problems problems = new Problems();
    Path file = dir.resolve("dup.yaml");
    Files.writeString(file, "a: 1\na: 2\n");
    YamlFile.read(file, problems, ValueResolver.NONE).orElseThrow().asMap("root");
    assertThat(problems.sorted()).singleElement().asString().startsWith(file + ":2:1:").contains("a");
  }

  @Test
  void requiredKeysAreNamed() throws Exception {
    Problems problems = new Problems();
    YamlMap m = read("other: 1\n", problems);
    assertThat(m.requireString("id")).isEmpty();
    assertThat(problems.sorted()).singleElement().asString().endsWith("missing required key 'id'");
  }
}
