package dev.tandem.engine.yaml;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML value that knows where it stands. Accessors that find the wrong shape record a
 * {@link Problem} and return an empty answer, so that reading goes on and finds the rest.
 */
public final class YamlNode {
  private final Node node;
  private final Path file;
  private final Problems problems;
  private final ValueResolver resolver;

  YamlNode(Node node, Path file, Problems problems, ValueResolver resolver) {
    this.node = node;
    this.file = file;
    this.problems = problems;
    this.resolver = resolver;
  }

  public SourceLocation location() {
    return new SourceLocation(file, node.getStartMark().getLine() + 1,
        node.getStartMark().getColumn() + 1);
  }

  public Path file() {
    return file;
  }

  public Problems problems() {
    return problems;
  }

  /** Records a problem at this node. */
  public void problem(String message) {
    problems.add(location(), message);
  }

  public boolean isMapping() {
    return node instanceof MappingNode;
  }

  public boolean isSequence() {
    return node instanceof SequenceNode;
  }

  public boolean isScalar() {
    return node instanceof ScalarNode && !isNull();
  }

  public boolean isNull() {
    return Tag.NULL.equals(node.getTag());
  }

  /** This node as a mapping; a problem and an empty mapping if it is not one. */
  public YamlMap asMap(String what) {
    if (node instanceof MappingNode mapping) {
      return new YamlMap(this, mapping, resolver);
    }
    problem(what + " must be a mapping (key: value), found " + shape());
    return YamlMap.empty(this, resolver);
  }

  /** This node as a list; a single scalar is accepted as a list of one. */
  public List<YamlNode> asList(String what) {
    if (node instanceof SequenceNode seq) {
      List<YamlNode> items = new ArrayList<>(seq.getValue().size());
      for (Node item : seq.getValue()) {
        items.add(new YamlNode(item, file, problems, resolver));
      }
      return items;
    }
    if (isScalar()) {
      return List.of(this);
    }
    problem(what + " must be a list, found " + shape());
    return List.of();
  }

  /** The scalar's text after resolution ({@code ${env:...}} and the like). */
  public Optional<String> asString(String what) {
    if (!(node instanceof ScalarNode scalar) || isNull()) {
      problem(what + " must be a scalar value, found " + shape());
      return Optional.empty();
    }
    try {
      return Optional.of(resolver.resolve(scalar.getValue()));
    } catch (IllegalArgumentException e) {
      problem(what + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  /** The scalar as written, without resolution: for values that must not be secrets. */
  public Optional<String> rawString() {
    return node instanceof ScalarNode scalar && !isNull()
        ? Optional.of(scalar.getValue()) : Optional.empty();
  }

  public Optional<Long> asLong(String what, long min, long max) {
    Optional<String> text = asString(what);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      long value = Long.parseLong(text.get().trim());
      if (value < min || value > max) {
        problem(what + " must be between " + min + " and " + max + ", found " + value);
        return Optional.empty();
      }
      return Optional.of(value);
    } catch (NumberFormatException e) {
      problem(what + " must be a whole number, found '" + text.get() + "'");
      return Optional.empty();
    }
  }

  public Optional<Double> asDouble(String what, double min, double max) {
    Optional<String> text = asString(what);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      double value = Double.parseDouble(text.get().trim());
      if (!(value >= min && value <= max)) {
        problem(what + " must be between " + min + " and " + max + ", found " + value);
        return Optional.empty();
      }
      return Optional.of(value);
    } catch (NumberFormatException e) {
      problem(what + " must be a number, found '" + text.get() + "'");
      return Optional.empty();
    }
  }

  public Optional<Boolean> asBoolean(String what) {
    Optional<String> text = asString(what);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return switch (text.get().trim()) {
      case "true", "True", "TRUE" -> Optional.of(true);
      case "false", "False", "FALSE" -> Optional.of(false);
      default -> {
        problem(what + " must be true or false, found '" + text.get() + "'");
        yield Optional.empty();
      }
    };
  }

  /** The value as a plain Java tree (maps, lists, strings, numbers, booleans) for free-form data. */
  public Object toPlain() {
    if (node instanceof MappingNode mapping) {
      java.util.LinkedHashMap<String, Object> out = new java.util.LinkedHashMap<>();
      mapping.getValue().forEach(t -> {
        String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : String.valueOf(t.getKeyNode());
        out.put(key, new YamlNode(t.getValueNode(), file, problems, resolver).toPlain());
      });
      return out;
    }
    if (node instanceof SequenceNode seq) {
      List<Object> out = new ArrayList<>();
      seq.getValue().forEach(n -> out.add(new YamlNode(n, file, problems, resolver).toPlain()));
      return out;
    }
    if (isNull()) {
      return null;
    }
    String text = ((ScalarNode) node).getValue();
    Tag tag = node.getTag();
    try {
      if (Tag.INT.equals(tag)) {
        return Long.parseLong(text);
      }
      if (Tag.FLOAT.equals(tag)) {
        return Double.parseDouble(text);
      }
    } catch (NumberFormatException e) {
      return text;
    }
    if (Tag.BOOL.equals(tag)) {
      return Boolean.parseBoolean(text.toLowerCase(java.util.Locale.ROOT));
    }
    return text;
  }

  String shape() {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return isNull() ? "nothing" : "'" + ((ScalarNode) node).getValue() + "'";
  }
}
