package dev.tandem.engine.yaml;

import java.nio.file.Path;
import java.util.Objects;

/** Where something stands in a source file: 1-based line and column, as editors count. */
public record SourceLocation(Path file, int line, int column) {
  public SourceLocation {
    Objects.requireNonNull(file, "file");
    if (line < 1 || column < 1) {
      throw new IllegalArgumentException("line and column are 1-based: " + line + ":" + column);
    }
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
