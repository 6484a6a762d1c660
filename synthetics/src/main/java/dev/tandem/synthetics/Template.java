package dev.tandem.synthetics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A string with {@code {{...}}} placeholders: {@code {{uuid}}} (a fresh random UUID at each
 * occurrence), {@code {{now}}} (the clock's instant, ISO-8601 UTC), {@code {{env:NAME}}} (an
 * environment variable) and {@code {{name}}} (a variable an earlier step extracted). Whitespace
 * inside the braces is ignored. Anything else between double braces is an error.
 */
final class Template {
  static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  static final Set<String> BUILT_INS = Set.of("uuid", "now");

  private sealed interface Part permits Literal, Placeholder {}

  private record Literal(String text) implements Part {}

  /** kind is "var", "env", "uuid" or "now". */
  private record Placeholder(String kind, String name) implements Part {}

  private final String source;
  private final List<Part> parts;

  private Template(String source, List<Part> parts) {
    this.source = source;
    this.parts = parts;
  }

  /** @throws IllegalArgumentException naming the bad placeholder */
  static Template parse(String text) {
    List<Part> parts = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int open = text.indexOf("{{", i);
      if (open < 0) {
        parts.add(new Literal(text.substring(i)));
        break;
      }
      if (open > i) {
        parts.add(new Literal(text.substring(i, open)));
      }
      int close = text.indexOf("}}", open + 2);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed '{{' in \"" + text + "\"");
      }
      parts.add(placeholder(text.substring(open + 2, close).trim()));
      i = close + 2;
    }
    return new Template(text, List.copyOf(parts));
  }

  private static Placeholder placeholder(String inner) {
    if (inner.startsWith("env:")) {
      String name = inner.substring(4).trim();
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("'{{" + inner + "}}' needs an environment variable name");
      }
      return new Placeholder("env", name);
    }
    if (BUILT_INS.contains(inner)) {
      return new Placeholder(inner, inner);
    }
    if (!NAME.matcher(inner).matches()) {
      throw new IllegalArgumentException("'{{" + inner + "}}' is not a template: use {{uuid}}, "
          + "{{now}}, {{env:NAME}} or {{variable}}");
    }
    return new Placeholder("var", inner);
  }

  /** Whether a string holds any placeholder at all; cheap check before parsing. */
  static boolean hasPlaceholders(String text) {
    return text.contains("{{");
  }

  /** The extracted variables this template reads, in order of first use. */
  Set<String> variables() {
    Set<String> out = new LinkedHashSet<>();
    for (Part p : parts) {
      if (p instanceof Placeholder ph && ph.kind().equals("var")) {
        out.add(ph.name());
      }
    }
    return out;
  }

  /**
   * Renders the template. {@code encodeValue} is applied to substituted values only (for URL
   * paths), never to the literal text around them.
   *
   * @throws MissingValueException when a variable or environment variable has no value
   */
  String render(Bindings bindings, UnaryOperator<String> encodeValue) {
    StringBuilder out = new StringBuilder(source.length() + 32);
    for (Part p : parts) {
      if (p instanceof Literal l) {
        out.append(l.text());
        continue;
      }
      Placeholder ph = (Placeholder) p;
      String value;
      switch (ph.kind()) {
        case "uuid":
          value = bindings.uuids().get().toString();
          break;
        case "now":
          value = bindings.clock().instant().toString();
          break;
        case "env":
          value = bindings.env().apply(ph.name());
          if (value == null) {
            throw new MissingValueException(ph.name(), true);
          }
          break;
        default:
          value = bindings.vars().get(ph.name());
          if (value == null) {
            throw new MissingValueException(ph.name(), false);
          }
      }
      out.append(encodeValue.apply(value));
    }
    return out.toString();
  }

  String render(Bindings bindings) {
    return render(bindings, UnaryOperator.identity());
  }

  @Override
  public String toString() {
    return source;
  }

  /** What a template reads its values from. */
  record Bindings(Map<String, String> vars, Function<String, String> env, Clock clock,
      Supplier<UUID> uuids) {}

  /** A placeholder without a value at render time. */
  static final class MissingValueException extends RuntimeException {
    private final String name;
    private final boolean environment;

    MissingValueException(String name, boolean environment) {
      super(environment ? "environment variable " + name + " is not set"
          : "variable " + name + " has no value");
      this.name = name;
      this.environment = environment;
    }

    String name() {
      return name;
    }

    boolean environment() {
      return environment;
    }
  }
}
