package dev.tandem.engine.yaml;

import java.util.Objects;

/** One problem found in an input file, printed as {@code FILE:LINE:COL: message}. */
public record Problem(SourceLocation location, String message) {
  public Problem {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return location + ": " + message;
  }
}
