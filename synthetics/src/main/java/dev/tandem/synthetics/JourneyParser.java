package dev.tandem.synthetics;

import dev.tandem.engine.yaml.Problems;
import dev.tandem.engine.yaml.SourceLocation;
import dev.tandem.engine.yaml.ValueResolver;
import dev.tandem.engine.yaml.YamlFile;
import dev.tandem.engine.yaml.YamlMap;
import dev.tandem.engine.yaml.YamlNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one journey file (CONTRACTS.md section 3). Every problem is added to {@link Problems}
 * with its {@code FILE:LINE:COL}, all of them rather than the first: missing and unknown keys,
 * bad methods, paths, JSONPaths and templates, duplicate step names, and template variables used
 * before an earlier step extracts them.
 */
public final class JourneyParser {
  private final Problems problems;
  private final List<VariableUse> uses = new ArrayList<>();
  private final Map<String, Integer> firstExtraction = new HashMap<>();
  private final Map<String, SourceLocation> stepNames = new HashMap<>();
  private final Map<Integer, String> stepByIndex = new HashMap<>();

  private record VariableUse(String name, SourceLocation at, int step) {}

  private JourneyParser(Problems problems) {
    this.problems = problems;
  }

  /** Reads {@code file}; empty when it has problems, which are then in {@code problems}. */
  public static Optional<Journey> parse(Path file, Problems problems) {
    return parse(file, problems, ValueResolver.NONE);
  }

  /** As {@link #parse(Path, Problems)}, resolving {@code ${env:...}}-style values with {@code resolver}. */
  public static Optional<Journey> parse(Path file, Problems problems, ValueResolver resolver) {
    int before = problems.size();
    Optional<YamlNode> doc = YamlFile.read(file, problems, resolver);
    if (doc.isEmpty()) {
      return Optional.empty();
    }
    Optional<Journey> journey = new JourneyParser(problems).journey(doc.get());
    return problems.size() == before ? journey : Optional.empty();
  }

  private Optional<Journey> journey(YamlNode doc) {
    YamlMap root = doc.asMap("a journey file");
    Optional<String> name = root.require("journey").flatMap(n -> id(n, "'journey'"));
    root.string("description");
    Set<String> roles = roles(root);
    List<Step> steps = new ArrayList<>();
    Optional<YamlNode> stepsNode = root.require("steps");
    if (stepsNode.isPresent()) {
      List<YamlNode> items = stepsNode.get().asList("'steps'");
      if (items.isEmpty() && stepsNode.get().isSequence()) {
        stepsNode.get().problem("a journey needs at least one step");
      }
      if (items.size() > Journey.MAX_STEPS) {
        stepsNode.get().problem("a journey has at most " + Journey.MAX_STEPS + " steps, found "
            + items.size());
      }
      for (int i = 0; i < items.size(); i++) {
        step(items.get(i), i).ifPresent(steps::add);
      }
    }
    root.rejectUnknown();
    checkVariables();
    if (name.isEmpty() || roles.isEmpty() || steps.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Journey(name.get(), roles, steps));
    } catch (IllegalArgumentException e) {
      doc.problem(e.getMessage());
      return Optional.empty();
    }
  }

  private Set<String> roles(YamlMap root) {
    if (!root.has("roles")) {
      return Set.of(Journey.ACTIVE);
    }
    Set<String> roles = new LinkedHashSet<>();
    List<YamlNode> items = root.list("roles");
    if (items.isEmpty()) {
      problems.add(root.keyLocation("roles"), "'roles' needs at least one of active, standby, both");
    }
    for (YamlNode item : items) {
      item.asString("a role").ifPresent(role -> {
        switch (role.toLowerCase(Locale.ROOT)) {
          case "active" -> roles.add(Journey.ACTIVE);
          case "standby" -> roles.add(Journey.STANDBY);
          case "both" -> {
            roles.add(Journey.ACTIVE);
            roles.add(Journey.STANDBY);
          }
          default -> item.problem("role '" + role + "' must be active, standby or both");
        }
      });
    }
    return roles;
  }

  private Optional<Step> step(YamlNode node, int index) {
    YamlMap s = node.asMap("a step");
    if (!node.isMapping()) {
      return Optional.empty();
    }
    int before = problems.size();
    Optional<String> name = s.require("name").flatMap(n -> id(n, "'name'"));
    name.ifPresent(n -> {
      SourceLocation at = s.get("name").get().location();
      SourceLocation first = stepNames.putIfAbsent(n, at);
      if (first != null) {
        problems.add(at, "duplicate step name '" + n + "' (first at line " + first.line() + ")");
      }
      stepByIndex.put(index, n);
    });
    Optional<StepRequest> request = s.map("request").flatMap(r -> request(r, index));
    if (!s.has("request")) {
      s.require("request");
    }
    StepExpectation expect = s.map("expect").map(this::expectation).orElse(StepExpectation.ANY_2XX);
    Map<String, Extraction> extract = s.map("extract").map(e -> extract(e, index)).orElse(Map.of());
    long timeoutMs = s.integer("timeoutMs", 0, 1, Step.MAX_TIMEOUT_MS);
    boolean always = s.bool("always", false);
    boolean critical = s.bool("critical", true);
    s.rejectUnknown();
    if (problems.size() != before || name.isEmpty() || request.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Step(name.get(), request.get(), expect, extract, timeoutMs, always, critical));
    } catch (IllegalArgumentException e) {
      node.problem(e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<StepRequest> request(YamlMap r, int step) {
    int before = problems.size();
    Optional<String> method = r.require("method").flatMap(n -> n.asString("'method'").flatMap(m -> {
      String upper = m.trim().toUpperCase(Locale.ROOT);
      if (!StepRequest.METHODS.contains(upper)) {
        n.problem("method '" + m + "' is not one of " + String.join(", ", StepRequest.METHODS));
        return Optional.empty();
      }
      return Optional.of(upper);
    }));
    Optional<String> path = r.require("path").flatMap(n -> n.asString("'path'").flatMap(p -> {
      if (!p.startsWith("/")) {
        n.problem("'path' must start with '/' (it is relative to the target's base URL)");
        return Optional.empty();
      }
      if (p.contains("?") || p.contains("#")) {
        n.problem("'path' must not hold a query or fragment: put query parameters under 'query'");
        return Optional.empty();
      }
      template(n, p, step);
      return Optional.of(p);
    }));
    Map<String, String> headers = templatedMap(r, "headers", step, true);
    Map<String, String> query = templatedMap(r, "query", step, false);
    Object json = r.get("json").map(n -> {
      jsonTemplates(n, step);
      return n.toPlain();
    }).orElse(null);
    String body = r.get("body").flatMap(n -> n.asString("'body'").map(b -> {
      template(n, b, step);
      return b;
    })).orElse(null);
    if (json != null && r.has("body")) {
      problems.add(r.keyLocation("body"), "a request has either 'json' or 'body', not both");
    }
    r.rejectUnknown();
    if (problems.size() != before || method.isEmpty() || path.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new StepRequest(method.get(), path.get(), headers, query, json, body));
    } catch (IllegalArgumentException e) {
      r.node().problem(e.getMessage());
      return Optional.empty();
    }
  }

  private Map<String, String> templatedMap(YamlMap r, String key, int step, boolean isHeaders) {
    Map<String, String> out = new LinkedHashMap<>();
    Optional<YamlMap> m = r.map(key);
    if (m.isEmpty()) {
      return out;
    }
    for (String name : m.get().keys()) {
      Optional<YamlNode> value = m.get().get(name);
      if (value.isEmpty()) {
        problems.add(m.get().keyLocation(name), "'" + name + "' needs a value");
        continue;
      }
      if (isHeaders && StepRequest.RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        problems.add(m.get().keyLocation(name), "header '" + name + "' is set by the runner");
        continue;
      }
      value.get().asString("'" + name + "'").ifPresent(text -> {
        template(value.get(), text, step);
        out.put(name, text);
      });
    }
    return out;
  }

  private void jsonTemplates(YamlNode node, int step) {
    if (node.isMapping()) {
      YamlMap m = node.asMap("'json'");
      for (String key : m.keys()) {
        m.get(key).ifPresent(child -> jsonTemplates(child, step));
      }
    } else if (node.isSequence()) {
      node.asList("'json'").forEach(child -> jsonTemplates(child, step));
    } else {
      node.rawString().ifPresent(text -> template(node, text, step));
    }
  }

  private void template(YamlNode at, String text, int step) {
    if (!Template.hasPlaceholders(text)) {
      return;
    }
    try {
      for (String var : Template.parse(text).variables()) {
        uses.add(new VariableUse(var, at.location(), step));
      }
    } catch (IllegalArgumentException e) {
      at.problem(e.getMessage());
    }
  }

  private StepExpectation expectation(YamlMap e) {
    List<Integer> status = new ArrayList<>();
    for (YamlNode item : e.list("status")) {
      item.asLong("an item of 'status'", 100, 599).ifPresent(v -> status.add(v.intValue()));
    }
    Map<JsonPath, String> jsonPath = new LinkedHashMap<>();
    e.map("jsonPath").ifPresent(m -> {
      for (String key : m.keys()) {
        Optional<String> expected = m.get(key).flatMap(v -> v.asString("the value expected at " + key));
        if (m.get(key).isEmpty()) {
          problems.add(m.keyLocation(key), "'" + key + "' needs an expected value");
        }
        try {
          JsonPath path = JsonPath.parse(key);
          expected.ifPresent(v -> jsonPath.put(path, v));
        } catch (IllegalArgumentException ex) {
          problems.add(m.keyLocation(key), "bad JSONPath '" + key + "': " + ex.getMessage());
        }
      }
    });
    Map<String, String> headers = new LinkedHashMap<>();
    e.map("headers").ifPresent(m -> {
      for (String key : m.keys()) {
        m.require(key).flatMap(v -> v.asString("header '" + key + "'")).ifPresent(v -> headers.put(key, v));
      }
    });
    String bodyContains = e.string("bodyContains").orElse(null);
    long maxLatencyMs = e.integer("maxLatencyMs", 0, 1, Step.MAX_TIMEOUT_MS);
    e.rejectUnknown();
    return new StepExpectation(status, jsonPath, headers, bodyContains, maxLatencyMs);
  }

  private Map<String, Extraction> extract(YamlMap e, int step) {
    Map<String, Extraction> out = new LinkedHashMap<>();
    for (String var : e.keys()) {
      if (!Template.NAME.matcher(var).matches() || Template.BUILT_INS.contains(var)) {
        problems.add(e.keyLocation(var), "'" + var + "' cannot be a variable name (letters, digits "
            + "and _; not uuid or now)");
      }
      Optional<YamlNode> value = e.get(var);
      if (value.isEmpty()) {
        problems.add(e.keyLocation(var), "'" + var + "' needs \"$.json.path\" or \"header:Name\"");
        continue;
      }
      value.get().asString("'" + var + "'").ifPresent(text -> {
        try {
          out.put(var, Extraction.parse(text));
          firstExtraction.putIfAbsent(var, step);
        } catch (IllegalArgumentException ex) {
          value.get().problem("bad extraction for '" + var + "': " + ex.getMessage());
        }
      });
    }
    return out;
  }

  private void checkVariables() {
    for (VariableUse use : uses) {
      Integer extractedBy = firstExtraction.get(use.name());
      if (extractedBy == null) {
        problems.add(use.at(), "template variable {{" + use.name() + "}} is not extracted by any step");
      } else if (extractedBy >= use.step()) {
        String by = stepByIndex.containsKey(extractedBy)
            ? "step '" + stepByIndex.get(extractedBy) + "'" : "a later step";
        problems.add(use.at(), "template variable {{" + use.name() + "}} is used before " + by
            + " extracts it");
      }
    }
  }

  private Optional<String> id(YamlNode node, String what) {
    return node.asString(what).flatMap(v -> {
      if (!Journey.ID.matcher(v).matches()) {
        node.problem(what + " must be letters, digits, '.', '_' or '-' (at most 100), found '" + v + "'");
        return Optional.empty();
      }
      return Optional.of(v);
    });
  }
}
