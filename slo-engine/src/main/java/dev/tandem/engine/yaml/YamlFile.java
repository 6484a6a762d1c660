package dev.tandem.engine.yaml;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads YAML into {@link YamlNode}s that remember where each value stands, so that every
 * problem can be reported as {@code FILE:LINE:COL}. Syntax errors become problems, never
 * exceptions.
 */
public final class YamlFile {
  /** Input files are configuration, not data: a few MiB is already suspicious. */
  static final int MAX_CODE_POINTS = 4 * 1024 * 1024;

  private YamlFile() {}

  /** Reads a file that holds exactly one document. */
  public static Optional<YamlNode> read(Path file, Problems problems, ValueResolver resolver) {
    List<YamlNode> docs = readAll(file, problems, resolver);
    if (docs.size() > 1) {
      problems.add(docs.get(1).location(), "expected one YAML document, found " + docs.size());
    }
    return docs.isEmpty() ? Optional.empty() : Optional.of(docs.get(0));
  }

  /**
   * Reads a configuration file that must exist and hold one document; a missing file is the
   * problem "config file not found" at its first position.
   */
  public static Optional<YamlNode> readConfig(Path file, Problems problems, ValueResolver resolver) {
    if (!Files.isRegularFile(file)) {
      problems.add(new SourceLocation(file, 1, 1), "config file not found");
      return Optional.empty();
    }
    return read(file, problems, resolver);
  }

  /** Reads every document of a multi-document file ({@code ---} separated). */
  public static List<YamlNode> readAll(Path file, Problems problems, ValueResolver resolver) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setMaxAliasesForCollections(50);
    Yaml yaml = new Yaml(options);
    List<YamlNode> docs = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (Node node : yaml.composeAll(reader)) {
        if (node != null) {
          docs.add(new YamlNode(node, file, problems, resolver));
        }
      }
      if (docs.isEmpty()) {
        problems.add(new SourceLocation(file, 1, 1), "the file holds no YAML document");
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      SourceLocation at = mark == null
          ? new SourceLocation(file, 1, 1)
          : new SourceLocation(file, mark.getLine() + 1, mark.getColumn() + 1);
      String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
      String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
      problems.add(at, "YAML syntax: " + what + context);
    } catch (IOException e) {
      problems.add(new SourceLocation(file, 1, 1), "cannot read file: " + e.getMessage());
    } catch (RuntimeException e) {
      // SnakeYAML signals limits (size, aliases) with plain runtime exceptions.
      problems.add(new SourceLocation(file, 1, 1), "YAML: " + e.getMessage());
    }
    return docs;
  }
}
