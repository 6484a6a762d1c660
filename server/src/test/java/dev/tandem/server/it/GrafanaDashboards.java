package dev.tandem.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The repository's {@code grafana/} folder as tests see it: the dashboard files, the provisioned
 * data sources (uid to type) and every query a dashboard holds (panel targets, annotation queries
 * and template variable queries).
 */
final class GrafanaDashboards {
  /** The repository's grafana folder (tests run in the server module's folder). */
  static final Path ROOT = Path.of("..", "grafana").toAbsolutePath().normalize();
  static final Path DASHBOARDS = ROOT.resolve("dashboards");
  static final Path DATASOURCES = ROOT.resolve("provisioning/datasources/tandem.yaml");
  static final Path PROVIDERS = ROOT.resolve("provisioning/dashboards/tandem.yaml");

  static final String INFLUXDB = "influxdb";
  static final String PROMETHEUS = "prometheus";

  private static final ObjectMapper JSON = new ObjectMapper();

  private GrafanaDashboards() {}

  /** Every {@code *.json} under grafana/dashboards, sorted by name. */
  static List<Path> files() {
    try (Stream<Path> s = Files.list(DASHBOARDS)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + file, e);
    }
  }

  /** The provisioned data sources: uid to type ({@value #INFLUXDB}, {@value #PROMETHEUS}). */
  static Map<String, String> datasourceTypes() {
    Map<String, String> types = new LinkedHashMap<>();
    for (Map<String, Object> ds : provisioned(DATASOURCES, "datasources")) {
      types.put(String.valueOf(ds.get("uid")), String.valueOf(ds.get("type")));
    }
    return types;
  }

  /**
   * The provisioned data sources' minimum interval ({@code jsonData.timeInterval}, e.g. "5s"), which
   * Grafana uses as the floor of {@code $__interval} and, for Prometheus, as the scrape interval in
   * {@code $__rate_interval}. Data sources without one map to 15 s, Grafana's default.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Duration> datasourceIntervals() {
    Map<String, Duration> intervals = new LinkedHashMap<>();
    for (Map<String, Object> ds : provisioned(DATASOURCES, "datasources")) {
      Object jsonData = ds.get("jsonData");
      Object value = jsonData instanceof Map ? ((Map<String, Object>) jsonData).get("timeInterval") : null;
      intervals.put(String.valueOf(ds.get("uid")), value == null ? Duration.ofSeconds(15) : seconds(value.toString()));
    }
    return intervals;
  }

  private static Duration seconds(String text) {
    if (!text.matches("\\d+s")) {
      throw new IllegalArgumentException("timeInterval \"" + text + "\": write whole seconds, e.g. 5s");
    }
    return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> provisioned(Path file, String key) {
    try {
      Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions()))
          .load(Files.readString(file));
      return (List<Map<String, Object>>) root.get(key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where a query sits in a dashboard. */
  enum Kind { PANEL, ANNOTATION, VARIABLE }

  /**
   * One query of a dashboard: {@code where} names it for messages (panel title and refId,
   * annotation or variable name), {@code datasourceUid} is the uid it names (null if none).
   */
  record Query(Kind kind, String where, String datasourceUid, String text, JsonNode source) {}

  /** Panel targets (rows' nested panels too) and annotation queries, built-in annotations left out. */
  static List<Query> queries(JsonNode dashboard) {
    List<Query> out = new ArrayList<>();
    for (JsonNode panel : panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        JsonNode ds = target.has("datasource") ? target.path("datasource") : panel.path("datasource");
        String where = "panel " + panel.path("id").asText() + " \"" + panel.path("title").asText()
            + "\" target " + target.path("refId").asText();
        out.add(new Query(Kind.PANEL, where, uid(ds), queryText(target), target));
      }
    }
    for (JsonNode annotation : dashboard.at("/annotations/list")) {
      if (annotation.path("builtIn").asInt() == 1) {
        continue;
      }
      JsonNode body = annotation.has("target") ? annotation.path("target") : annotation;
      out.add(new Query(Kind.ANNOTATION, "annotation \"" + annotation.path("name").asText() + "\"",
          uid(annotation.path("datasource")), queryText(body), annotation));
    }
    return out;
  }

  /** Template variables of type query, in dashboard order (a later one may use an earlier one). */
  static List<Query> variables(JsonNode dashboard) {
    List<Query> out = new ArrayList<>();
    for (JsonNode v : dashboard.at("/templating/list")) {
      JsonNode q = v.path("query");
      String text = q.isObject() ? q.path("query").asText(null) : q.asText(null);
      out.add(new Query(Kind.VARIABLE, "variable $" + v.path("name").asText(), uid(v.path("datasource")),
          text, v));
    }
    return out;
  }

  /** Every panel, including those nested in collapsed rows. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      p.path("panels").forEach(out::add);
    }
    return out;
  }

  private static String queryText(JsonNode target) {
    if (target.hasNonNull("expr")) {
      return target.path("expr").asText();
    }
    if (target.hasNonNull("query")) {
      return target.path("query").asText();
    }
    return null;
  }

  private static String uid(JsonNode datasource) {
    if (datasource.isTextual()) {
      return datasource.asText();
    }
    return datasource.hasNonNull("uid") ? datasource.path("uid").asText() : null;
  }
}
