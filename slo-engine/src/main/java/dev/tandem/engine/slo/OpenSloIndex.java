package dev.tandem.engine.slo;

import dev.tandem.engine.yaml.Problems;
import dev.tandem.engine.yaml.ValueResolver;
import dev.tandem.engine.yaml.YamlFile;
import dev.tandem.engine.yaml.YamlMap;
import dev.tandem.engine.yaml.YamlNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The documents of a set of OpenSLO v1 files, indexed by kind and name: enough to check that
 * every document is a known OpenSLO v1 kind with a name, and that domains name SLOs that exist.
 * The full SLO model (indicators, windows, budgeting methods) is read on top of this index.
 */
public final class OpenSloIndex {
  public static final String API_VERSION = "openslo/v1";
  public static final Set<String> KINDS = Set.of("SLO", "SLI", "AlertPolicy", "AlertCondition",
      "AlertNotificationTarget", "DataSource", "Service");

  /** One document: its kind, name and where it stands. */
  public record Document(String kind, String name, YamlMap body) {}

  private final Map<String, Map<String, Document>> byKind = new LinkedHashMap<>();

  private OpenSloIndex() {}

  /** Reads every document of every file; problems are recorded, never thrown. */
  public static OpenSloIndex read(List<Path> files, Problems problems) {
    OpenSloIndex index = new OpenSloIndex();
    for (Path file : files) {
      for (YamlNode doc : YamlFile.readAll(file, problems, ValueResolver.NONE)) {
        index.add(doc);
      }
    }
    return index;
  }

  private void add(YamlNode doc) {
    YamlMap m = doc.asMap("an OpenSLO document");
    String version = m.requireString("apiVersion").orElse(null);
    if (version != null && !API_VERSION.equals(version)) {
      m.get("apiVersion").get().problem("apiVersion must be '" + API_VERSION + "', found '" + version + "'");
      return;
    }
    String kind = m.requireString("kind").orElse(null);
    if (kind != null && !KINDS.contains(kind)) {
      m.get("kind").get().problem("unknown OpenSLO kind '" + kind + "' (expected one of "
          + String.join(", ", new java.util.TreeSet<>(KINDS)) + ")");
      return;
    }
    String name = m.require("metadata").map(n -> n.asMap("'metadata'"))
        .flatMap(md -> md.requireString("name")).orElse(null);
    m.require("spec").ifPresent(s -> s.asMap("'spec'"));
    if (kind == null || name == null) {
      return;
    }
    Map<String, Document> names = byKind.computeIfAbsent(kind, k -> new LinkedHashMap<>());
    if (names.containsKey(name)) {
      m.get("metadata").get().problem("duplicate " + kind + " named '" + name + "'");
      return;
    }
    names.put(name, new Document(kind, name, m));
  }

  public Set<String> names(String kind) {
    return byKind.getOrDefault(kind, Map.of()).keySet();
  }

  public Map<String, Document> documents(String kind) {
    return byKind.getOrDefault(kind, Map.of());
  }
}
