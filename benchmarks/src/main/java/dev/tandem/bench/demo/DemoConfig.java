package dev.tandem.bench.demo;

import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.Validation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The demo's configuration ({@code examples/demo}, run from the repository root) copied into a
 * benchmark's own folder: journeys and SLOs still read from the example, state kept in the copy's
 * folder, and {@code edit} applied to the YAML text (timings, paging) before it is checked.
 */
public final class DemoConfig {
  private DemoConfig() {}

  public static Validation.Result copy(Path dir, UnaryOperator<String> edit) throws IOException {
    Path demo = Path.of("examples", "demo").toAbsolutePath();
    String yaml = Files.readString(demo.resolve("tandem.yaml"))
        .replace("journeys: [\"journeys/*.yaml\"]", "journeys: [\"" + demo + "/journeys/*.yaml\"]")
        .replace("slos: [\"slos/*.yaml\"]", "slos: [\"" + demo + "/slos/*.yaml\"]")
        .replace("storage:\n  dir: tandem-data", "storage:\n  dir: " + dir.resolve("data"));
    Path config = dir.resolve("tandem.yaml");
    Files.writeString(config, edit.apply(yaml));
    Validation.Result valid = Validation.check(config, new ConfigLoader(n -> null));
    if (!valid.ok()) {
      throw new IllegalStateException(valid.problems().toString());
    }
    return valid;
  }
}
