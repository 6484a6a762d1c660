package dev.tandem.engine.yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * A YAML mapping read key by key. It remembers which keys were asked for, so that
 * {@link #rejectUnknown()} can report every key nobody reads: unknown keys are errors in Tandem's
 * inputs, since a misspelt key silently ignored is a misconfiguration nobody notices.
 */
public final class YamlMap {
  private final YamlNode self;
  private final Map<String, YamlNode> values = new LinkedHashMap<>();
  private final Map<String, YamlNode> keys = new LinkedHashMap<>();
  private final Set<String> asked = new LinkedHashSet<>();

  YamlMap(YamlNode self, MappingNode mapping, ValueResolver resolver) {
    this.self = self;
    for (NodeTuple tuple : mapping.getValue()) {
      YamlNode keyNode = new YamlNode(tuple.getKeyNode(), self.file(), self.problems(), resolver);
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        keyNode.problem("keys must be plain text");
        continue;
      }
      if (values.containsKey(key.getValue())) {
        keyNode.problem("duplicate key '" + key.getValue() + "' (first at line "
            + keys.get(key.getValue()).location().line() + ")");
        continue;
      }
      values.put(key.getValue(), new YamlNode(tuple.getValueNode(), self.file(), self.problems(), resolver));
      keys.put(key.getValue(), keyNode);
    }
  }

  private YamlMap(YamlNode self) {
    this.self = self;
  }

  static YamlMap empty(YamlNode self, ValueResolver resolver) {
    return new YamlMap(self);
  }

  public YamlNode node() {
    return self;
  }

  public Set<String> keys() {
    return values.keySet();
  }

  public boolean has(String key) {
    asked.add(key);
    return values.containsKey(key) && !values.get(key).isNull();
  }

  /** The value under {@code key}, if present and not null. */
  public Optional<YamlNode> get(String key) {
    asked.add(key);
    YamlNode value = values.get(key);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
  }

  /** The value under {@code key}; a problem at the mapping if it is missing. */
  public Optional<YamlNode> require(String key) {
    Optional<YamlNode> value = get(key);
    if (value.isEmpty()) {
      self.problem("missing required key '" + key + "'");
    }
    return value;
  }

  public Optional<String> string(String key) {
    return get(key).flatMap(n -> n.asString("'" + key + "'"));
  }

  public Optional<String> requireString(String key) {
    return require(key).flatMap(n -> n.asString("'" + key + "'"));
  }

  public String string(String key, String fallback) {
    return string(key).orElse(fallback);
  }

  public long integer(String key, long fallback, long min, long max) {
    return get(key).flatMap(n -> n.asLong("'" + key + "'", min, max)).orElse(fallback);
  }

  public double number(String key, double fallback, double min, double max) {
    return get(key).flatMap(n -> n.asDouble("'" + key + "'", min, max)).orElse(fallback);
  }

  public boolean bool(String key, boolean fallback) {
    return get(key).flatMap(n -> n.asBoolean("'" + key + "'")).orElse(fallback);
  }

  public List<YamlNode> list(String key) {
    return get(key).map(n -> n.asList("'" + key + "'")).orElse(List.of());
  }

  public List<String> strings(String key) {
    List<String> out = new ArrayList<>();
    for (YamlNode item : list(key)) {
      item.asString("an item of '" + key + "'").ifPresent(out::add);
    }
    return out;
  }

  public Optional<YamlMap> map(String key) {
    return get(key).map(n -> n.asMap("'" + key + "'"));
  }

  /** Where a key itself stands (for messages about the key, not its value). */
  public SourceLocation keyLocation(String key) {
    YamlNode k = keys.get(key);
    return k == null ? self.location() : k.location();
  }

  /** Reports every key that no accessor asked for. */
  public void rejectUnknown() {
    for (Map.Entry<String, YamlNode> entry : keys.entrySet()) {
      if (!asked.contains(entry.getKey())) {
        entry.getValue().problem("unknown key '" + entry.getKey() + "'"
            + (asked.isEmpty() ? "" : " (expected one of: " + String.join(", ", asked) + ")"));
      }
    }
  }
}
