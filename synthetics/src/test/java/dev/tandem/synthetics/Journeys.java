package dev.tandem.synthetics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.yaml.Problems;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Writes journey YAML to a folder and parses it, for tests that need a real parsed journey. */
final class Journeys {
  private Journeys() {}

  static Path write(Path dir, String fileName, String yaml) {
    try {
      Path file = dir.resolve(fileName);
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses and insists there were no problems, printing them if there were. */
  static Journey parse(Path dir, String yaml) {
    Path file = write(dir, "journey-" + Integer.toHexString(yaml.hashCode()) + ".yaml", yaml);
    Problems problems = new Problems();
    Optional<Journey> journey = JourneyParser.parse(file, problems);
    assertThat(problems.sorted()).as("problems in test journey").isEmpty();
    assertThat(journey).isPresent();
    return journey.get();
  }
}
