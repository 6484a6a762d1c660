package dev.tandem.synthetics;

import java.util.Objects;

/**
 * Where an extracted variable's value comes from: a JSONPath into the response body
 * ({@code "$.id"}) or a response header ({@code "header:Location"}).
 */
public record Extraction(JsonPath jsonPath, String header) {
  static final String HEADER_PREFIX = "header:";

  public Extraction {
    if ((jsonPath == null) == (header == null || header.isBlank())) {
      throw new IllegalArgumentException("an extraction reads either a JSONPath or a header");
    }
  }

  /**
   * Reads {@code "$.path"} or {@code "header:Name"}.
   *
   * @throws IllegalArgumentException when it is neither, or the JSONPath is bad
   */
  public static Extraction parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.startsWith(HEADER_PREFIX)) {
      String name = text.substring(HEADER_PREFIX.length()).trim();
      if (name.isEmpty()) {
        throw new IllegalArgumentException("'header:' needs a header name");
      }
      return new Extraction(null, name);
    }
    if (text.startsWith("$")) {
      return new Extraction(JsonPath.parse(text), null);
    }
    throw new IllegalArgumentException("'" + text + "' must be a JSONPath ($.field) or header:Name");
  }

  @Override
  public String toString() {
    return jsonPath != null ? jsonPath.toString() : HEADER_PREFIX + header;
  }
}
