package dev.tandem.synthetics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The small JSONPath subset that journeys use to check and extract response values:
 *
 * <ul>
 *   <li>{@code $}: the whole document;
 *   <li>{@code .field}: a member of an object (letters, digits, {@code _} and {@code -});
 *   <li>{@code ['field']} or {@code ["field"]}: any member name, {@code \'} and {@code \\} escaped;
 *   <li>{@code [index]}: an element of an array, from 0.
 * </ul>
 *
 * <p>No wildcards, filters, slices, recursive descent or negative indexes: a path names at most
 * one value, so that an expectation can say exactly what it saw.
 */
public final class JsonPath {
  /** The value found at a path when the document holds an explicit JSON {@code null}. */
  public static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  static final int MAX_LENGTH = 512;

  private final String text;
  private final List<Object> segments;

  private JsonPath(String text, List<Object> segments) {
    this.text = text;
    this.segments = segments;
  }

  /**
   * Parses a path.
   *
   * @throws IllegalArgumentException with a message that names the position of the problem
   */
  public static JsonPath parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty JSONPath");
    }
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("JSONPath longer than " + MAX_LENGTH + " characters");
    }
    if (text.charAt(0) != '$') {
      throw new IllegalArgumentException("JSONPath must start with '$'");
    }
    List<Object> segments = new ArrayList<>();
    int i = 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '.') {
        int start = i + 1;
        int end = start;
        while (end < text.length() && isNameChar(text.charAt(end))) {
          end++;
        }
        if (end == start) {
          if (end < text.length() && (text.charAt(end) == '.' || text.charAt(end) == '*')) {
            throw unsupported(text, end);
          }
          throw new IllegalArgumentException("expected a field name after '.' at position " + start);
        }
        segments.add(text.substring(start, end));
        i = end;
      } else if (c == '[') {
        i = bracket(text, i + 1, segments);
      } else {
        throw new IllegalArgumentException("unexpected '" + c + "' at position " + i
            + " (expected '.' or '[')");
      }
    }
    return new JsonPath(text, List.copyOf(segments));
  }

  private static int bracket(String text, int i, List<Object> segments) {
    if (i >= text.length()) {
      throw new IllegalArgumentException("unclosed '[' at position " + (i - 1));
    }
    char c = text.charAt(i);
    if (c == '\'' || c == '"') {
      StringBuilder name = new StringBuilder();
      int j = i + 1;
      while (j < text.length() && text.charAt(j) != c) {
        char d = text.charAt(j);
        if (d == '\\' && j + 1 < text.length()) {
          j++;
          d = text.charAt(j);
        }
        name.append(d);
        j++;
      }
      if (j >= text.length()) {
        throw new IllegalArgumentException("unclosed quote at position " + i);
      }
      if (j + 1 >= text.length() || text.charAt(j + 1) != ']') {
        throw new IllegalArgumentException("expected ']' at position " + (j + 1));
      }
      segments.add(name.toString());
      return j + 2;
    }
    if (c >= '0' && c <= '9') {
      int j = i;
      while (j < text.length() && Character.isDigit(text.charAt(j))) {
        j++;
      }
      if (j >= text.length() || text.charAt(j) != ']') {
        throw new IllegalArgumentException("expected ']' at position " + j);
      }
      try {
        segments.add(Integer.parseInt(text.substring(i, j)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("index too large at position " + i);
      }
      return j + 1;
    }
    if (c == '-') {
      throw new IllegalArgumentException("negative indexes are not supported (position " + i + ")");
    }
    throw unsupported(text, i);
  }

  private static IllegalArgumentException unsupported(String text, int at) {
    return new IllegalArgumentException("'" + text.charAt(at) + "' at position " + at
        + " is not supported: use $, .field, ['field'] and [index] only");
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-';
  }

  /**
   * The value at this path in a decoded JSON document (Vert.x {@link JsonObject}/{@link JsonArray}
   * or plain maps and lists): a string, number, boolean, {@link #NULL}, object or array; empty
   * when the path leads nowhere.
   */
  public Optional<Object> read(Object document) {
    Object current = document == null ? NULL : document;
    for (Object segment : segments) {
      current = step(current, segment);
      if (current == null) {
        return Optional.empty();
      }
    }
    return Optional.of(current);
  }

  private static Object step(Object current, Object segment) {
    if (segment instanceof String field) {
      if (current instanceof JsonObject object) {
        return object.containsKey(field) ? orNull(object.getValue(field)) : null;
      }
      if (current instanceof Map<?, ?> map) {
        return map.containsKey(field) ? orNull(map.get(field)) : null;
      }
      return null;
    }
    int index = (Integer) segment;
    if (current instanceof JsonArray array) {
      return index < array.size() ? orNull(array.getValue(index)) : null;
    }
    if (current instanceof List<?> list) {
      return index < list.size() ? orNull(list.get(index)) : null;
    }
    return null;
  }

  private static Object orNull(Object value) {
    return value == null ? NULL : value;
  }

  /** A value found by {@link #read} as text: strings as they are, the rest as JSON. */
  public static String text(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof JsonObject o) {
      return o.encode();
    }
    if (value instanceof JsonArray a) {
      return a.encode();
    }
    if (value instanceof Map<?, ?> m) {
      return new JsonObject(castMap(m)).encode();
    }
    if (value instanceof List<?> l) {
      return new JsonArray(new ArrayList<>(l)).encode();
    }
    if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
      BigDecimal d = new BigDecimal(value.toString());
      return d.stripTrailingZeros().scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
    }
    return String.valueOf(value);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  /**
   * Whether a found value equals what a journey file expects. Numbers compare by value
   * ({@code 1} matches {@code 1.0}); everything else compares as text.
   */
  static boolean matches(String expected, Object actual) {
    if (actual instanceof Number) {
      try {
        return new BigDecimal(expected.trim()).compareTo(new BigDecimal(actual.toString())) == 0;
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return expected.equals(text(actual));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JsonPath other && other.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
