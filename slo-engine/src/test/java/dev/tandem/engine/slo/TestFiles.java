package dev.tandem.engine.slo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The OpenSLO inputs under {@code src/test/resources/openslo}, found on the class path. */
final class TestFiles {
  private TestFiles() {}

  static Path resource(String path) {
    try {
      return Path.of(TestFiles.class.getResource("/openslo/" + path).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The YAML files of a resource folder, sorted by name. */
  static List<Path> folder(String folder) {
    try (Stream<Path> files = Files.list(resource(folder))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path write(Path dir, String name, String yaml) {
    try {
      return Files.writeString(dir.resolve(name), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
