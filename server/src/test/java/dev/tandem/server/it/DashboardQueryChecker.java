package dev.tandem.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs every query of a Grafana dashboard the way Grafana would, against a real InfluxDB
 * ({@code /query}, InfluxQL) and a real Prometheus ({@code /api/v1/query_range}), and reports each
 * query that fails, returns no data, or names something the databases do not hold.
 *
 * <p>Before a query runs, Grafana's macros are replaced as Grafana replaces them: {@code
 * $timeFilter}, {@code $__interval}, {@code $__interval_ms}, {@code $__rate_interval}, {@code
 * $__range}, {@code $__range_s}, {@code $__range_ms}; template variables get the values their own
 * query returns (all of them, formatted as Grafana formats "All" for a multi-value variable: a
 * regex alternation {@code (a|b)}; the first one for a single-value variable). A name left over
 * afterwards is a problem.
 *
 * <p>Two checks per query, because "returns data" alone misses some mistakes (an InfluxQL {@code
 * GROUP BY} on a misspelled tag, or a PromQL {@code by (clowd)}, still return rows):
 *
 * <ol>
 *   <li>data: the query succeeds and returns at least one series with at least one value (not
 *       null, not NaN);
 *   <li>schema: every double-quoted InfluxQL identifier is a measurement, a field or tag key of the
 *       measurements the query reads, or an alias it defines; every tag compared to a literal has
 *       that value; every PromQL metric name and label name exists in Prometheus, and every label
 *       matched with {@code =} has that value.
 * </ol>
 */
final class DashboardQueryChecker {
  /** Where the data is, and the time range to query (the window in which Tandem wrote it). */
  record Backends(String influxUrl, String database, String prometheusUrl, Instant from, Instant to) {
    Backends {
      Objects.requireNonNull(influxUrl);
      Objects.requireNonNull(database);
      Objects.requireNonNull(prometheusUrl);
      if (!to.isAfter(from)) {
        throw new IllegalArgumentException("empty time range " + from + " .. " + to);
      }
    }
  }

  /** What was checked in one dashboard and what is wrong with it (empty when every query passed). */
  record Report(String dashboard, List<String> checked, List<String> problems) {}

  private static final Pattern NAME = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");
  private static final Pattern ALIAS = Pattern.compile("(?i)\\bAS\\s+\"([^\"]+)\"");
  private static final Pattern FROM = Pattern.compile("(?i)\\bFROM\\s+\"([^\"]+)\"");
  private static final Pattern TAG_LITERAL = Pattern.compile("\"([^\"]+)\"\\s*(=|<>|!=)\\s*'([^']*)'");
  private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((?:(.*),)?\\s*(\\w+)\\s*\\)\\s*$");
  private static final Pattern MATCHERS = Pattern.compile("\\{([^}]*)}");
  private static final Pattern MATCHER = Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.])([a-zA-Z_:][\\w:]*)\\s*(\\()?");
  private static final Set<String> PROMQL_KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on",
      "ignoring", "group_left", "group_right", "offset", "bool", "inf", "nan", "atan2");
  /** InfluxDB's regex escape as Grafana applies it to multi-value variables. */
  private static final Pattern INFLUX_REGEX_SPECIAL = Pattern.compile("[\\\\^$*+?.()|{}\\[\\]/\\-]");
  private static final Pattern PROM_REGEX_SPECIAL = Pattern.compile("[\\\\^$*+?.()|{}\\[\\]]");

  private final Backends backends;
  private final Map<String, String> datasourceTypes;
  private final Map<String, Duration> datasourceIntervals;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Set<String>> influxValuesCache = new HashMap<>();
  private Map<String, Set<String>> influxKeys;
  private Set<String> promMetrics;
  private Set<String> promLabels;
  private final Map<String, Set<String>> promValuesCache = new HashMap<>();

  /**
   * @param datasourceTypes provisioned data sources, uid to type
   * @param datasourceIntervals their minimum intervals (Grafana's {@code timeInterval}), which
   *     Grafana's macros derive from
   */
  DashboardQueryChecker(Backends backends, Map<String, String> datasourceTypes,
      Map<String, Duration> datasourceIntervals) {
    this.backends = backends;
    this.datasourceTypes = Map.copyOf(datasourceTypes);
    this.datasourceIntervals = Map.copyOf(datasourceIntervals);
  }

  Report check(String name, JsonNode dashboard) {
    List<String> checked = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Map<String, String> influxValues = new LinkedHashMap<>(builtins(GrafanaDashboards.INFLUXDB));
    Map<String, String> promValues = new LinkedHashMap<>(builtins(GrafanaDashboards.PROMETHEUS));

    for (GrafanaDashboards.Query variable : GrafanaDashboards.variables(dashboard)) {
      String varName = variable.source().path("name").asText();
      List<String> values = new ArrayList<>();
      String type = variable.source().path("type").asText();
      if (!"query".equals(type)) {
        problems.add(variable.where() + ": type " + type + " is not checked here; use a query variable");
        continue;
      }
      checked.add(variable.where());
      String dsType = datasourceType(variable, problems);
      if (dsType == null) {
        continue;
      }
      if (variable.text() == null || variable.text().isBlank()) {
        problems.add(variable.where() + ": no query");
        continue;
      }
      Map<String, String> scope = GrafanaDashboards.INFLUXDB.equals(dsType) ? influxValues : promValues;
      String text = substitute(variable, variable.text(), scope, problems);
      values.addAll(GrafanaDashboards.INFLUXDB.equals(dsType)
          ? influxVariableValues(variable, text, problems)
          : prometheusVariableValues(variable, text, problems));
      if (values.isEmpty()) {
        problems.add(variable.where() + ": its query returned no values (" + text + ")");
      }
      boolean multi = variable.source().path("multi").asBoolean() || variable.source().path("includeAll").asBoolean();
      influxValues.put(varName, format(values, multi, INFLUX_REGEX_SPECIAL));
      promValues.put(varName, format(values, multi, PROM_REGEX_SPECIAL));
    }

    for (GrafanaDashboards.Query q : GrafanaDashboards.queries(dashboard)) {
      checked.add(q.where());
      String dsType = datasourceType(q, problems);
      if (dsType == null) {
        continue;
      }
      if (q.text() == null || q.text().isBlank()) {
        problems.add(q.where() + ": no query text (raw InfluxQL in \"query\" or PromQL in \"expr\")");
        continue;
      }
      if (GrafanaDashboards.INFLUXDB.equals(dsType)) {
        if (q.kind() == GrafanaDashboards.Kind.PANEL && !q.source().path("rawQuery").asBoolean()) {
          problems.add(q.where() + ": InfluxDB targets must be raw InfluxQL (\"rawQuery\": true)");
          continue;
        }
        String text = substitute(q, q.text(), influxValues, problems);
        checkInfluxSchema(q, text, problems);
        checkInfluxData(q, text, problems);
      } else {
        String text = substitute(q, q.text(), promValues, problems);
        checkPrometheusSchema(q, text, problems);
        checkPrometheusData(q, text, problems);
      }
    }
    return new Report(name, List.copyOf(checked), List.copyOf(problems));
  }

  // ---------------------------------------------------------------------------------------------
  // Grafana's macros and variables
  // ---------------------------------------------------------------------------------------------

  /** The provisioned minimum interval of the (single) data source of this type. */
  private long minIntervalSeconds(String type) {
    for (Map.Entry<String, String> e : datasourceTypes.entrySet()) {
      if (e.getValue().equals(type)) {
        return Math.max(1, datasourceIntervals.getOrDefault(e.getKey(), Duration.ofSeconds(15)).toSeconds());
      }
    }
    return 15;
  }

  private long intervalSeconds(String type) {
    long range = rangeSeconds();
    // Grafana divides the range by the panel's data points (its width in pixels, ~1000 at most)
    // and never goes below the data source's minimum interval.
    long byPoints = Math.max(1, (range + 999) / 1000);
    return Math.max(byPoints, minIntervalSeconds(type));
  }

  private long rangeSeconds() {
    return Math.max(1, Duration.between(backends.from(), backends.to()).toSeconds());
  }

  private Map<String, String> builtins(String type) {
    long interval = intervalSeconds(type);
    // For Prometheus, Grafana takes the data source's minimum interval as the scrape interval.
    long scrape = minIntervalSeconds(type);
    Map<String, String> m = new HashMap<>();
    m.put("timeFilter", "time >= " + backends.from().toEpochMilli() + "ms and time <= "
        + backends.to().toEpochMilli() + "ms");
    m.put("__interval", interval + "s");
    m.put("interval", interval + "s");
    m.put("__interval_ms", String.valueOf(interval * 1000));
    // Grafana: max($__interval + scrape interval, 4 x scrape interval).
    m.put("__rate_interval", Math.max(interval + scrape, 4 * scrape) + "s");
    m.put("__range", rangeSeconds() + "s");
    m.put("__range_s", String.valueOf(rangeSeconds()));
    m.put("__range_ms", String.valueOf(rangeSeconds() * 1000));
    return m;
  }

  private static String format(List<String> values, boolean multi, Pattern special) {
    if (values.isEmpty()) {
      return "";
    }
    if (!multi) {
      return values.get(0);
    }
    List<String> escaped = values.stream().map(v -> special.matcher(v).replaceAll("\\\\$0")).toList();
    return "(" + String.join("|", escaped) + ")";
  }

  private static String substitute(GrafanaDashboards.Query q, String text, Map<String, String> values,
      List<String> problems) {
    Matcher m = NAME.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = values.get(name);
      if (value == null) {
        problems.add(q.where() + ": unknown variable or macro $" + name + " (" + text + ")");
        value = m.group();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private String datasourceType(GrafanaDashboards.Query q, List<String> problems) {
    if (q.datasourceUid() == null) {
      problems.add(q.where() + ": names no data source uid");
      return null;
    }
    String type = datasourceTypes.get(q.datasourceUid());
    if (type == null) {
      problems.add(q.where() + ": data source uid " + q.datasourceUid() + " is not provisioned "
          + datasourceTypes.keySet());
      return null;
    }
    if (!GrafanaDashboards.INFLUXDB.equals(type) && !GrafanaDashboards.PROMETHEUS.equals(type)) {
      problems.add(q.where() + ": data source type " + type + " is not checked");
      return null;
    }
    return type;
  }

  // ---------------------------------------------------------------------------------------------
  // InfluxDB
  // ---------------------------------------------------------------------------------------------

  private JsonNode influx(String query) {
    return getJson(backends.influxUrl() + "/query?epoch=ms&db=" + enc(backends.database()) + "&q=" + enc(query));
  }

  private List<String> influxVariableValues(GrafanaDashboards.Query q, String text, List<String> problems) {
    JsonNode r = influx(text);
    Set<String> values = new LinkedHashSet<>();
    for (JsonNode result : r.path("results")) {
      if (result.has("error")) {
        problems.add(q.where() + ": InfluxDB error: " + result.path("error").asText() + " (" + text + ")");
      }
      for (JsonNode series : result.path("series")) {
        for (JsonNode row : series.path("values")) {
          values.add(row.get(row.size() - 1).asText());
        }
      }
    }
    checkInfluxSchema(q, text, problems);
    return List.copyOf(values);
  }

  private void checkInfluxData(GrafanaDashboards.Query q, String text, List<String> problems) {
    JsonNode r = influx(text);
    if (r.has("error")) {
      problems.add(q.where() + ": InfluxDB error: " + r.path("error").asText() + " (" + text + ")");
      return;
    }
    boolean data = false;
    for (JsonNode result : r.path("results")) {
      if (result.has("error")) {
        problems.add(q.where() + ": InfluxDB error: " + result.path("error").asText() + " (" + text + ")");
        return;
      }
      for (JsonNode series : result.path("series")) {
        JsonNode columns = series.path("columns");
        for (JsonNode row : series.path("values")) {
          for (int i = 0; i < row.size(); i++) {
            if (!"time".equals(columns.path(i).asText()) && !row.get(i).isNull()) {
              data = true;
            }
          }
        }
      }
    }
    if (!data) {
      problems.add(q.where() + ": InfluxDB returned no data (" + text + ")");
    }
  }

  /** Measurement name to its field and tag keys. */
  private Map<String, Set<String>> influxKeys() {
    if (influxKeys == null) {
      Map<String, Set<String>> keys = new HashMap<>();
      for (JsonNode series : influx("SHOW MEASUREMENTS").at("/results/0/series/0/values")) {
        keys.put(series.get(0).asText(), new LinkedHashSet<>());
      }
      for (String show : List.of("SHOW FIELD KEYS", "SHOW TAG KEYS")) {
        for (JsonNode series : influx(show).at("/results/0/series")) {
          Set<String> k = keys.computeIfAbsent(series.path("name").asText(), x -> new LinkedHashSet<>());
          series.path("values").forEach(row -> k.add(row.get(0).asText()));
        }
      }
      influxKeys = keys;
    }
    return influxKeys;
  }

  private Set<String> influxTagValues(String measurement, String tag) {
    return influxValuesCache.computeIfAbsent(measurement + "\u0000" + tag, k -> {
      Set<String> values = new LinkedHashSet<>();
      JsonNode r = influx("SHOW TAG VALUES FROM \"" + measurement + "\" WITH KEY = \"" + tag + "\"");
      for (JsonNode series : r.at("/results/0/series")) {
        series.path("values").forEach(row -> values.add(row.get(1).asText()));
      }
      return values;
    });
  }

  private void checkInfluxSchema(GrafanaDashboards.Query q, String text, List<String> problems) {
    Map<String, Set<String>> keys = influxKeys();
    Set<String> measurements = new LinkedHashSet<>();
    Matcher from = FROM.matcher(text);
    while (from.find()) {
      measurements.add(from.group(1));
    }
    if (measurements.isEmpty()) {
      problems.add(q.where() + ": reads no double-quoted measurement (FROM \"name\") (" + text + ")");
    }
    Set<String> known = new LinkedHashSet<>();
    for (String m : measurements) {
      if (!keys.containsKey(m)) {
        problems.add(q.where() + ": measurement \"" + m + "\" is not in the database; Tandem writes "
            + keys.keySet());
      } else {
        known.addAll(keys.get(m));
      }
    }
    Set<String> aliases = new LinkedHashSet<>();
    Matcher alias = ALIAS.matcher(text);
    while (alias.find()) {
      aliases.add(alias.group(1));
    }
    Matcher quoted = QUOTED.matcher(text);
    while (quoted.find()) {
      String id = quoted.group(1);
      if (!measurements.contains(id) && !known.contains(id) && !aliases.contains(id)) {
        problems.add(q.where() + ": \"" + id + "\" is no field or tag of " + measurements + " (keys: " + known + ")");
      }
    }
    Matcher literal = TAG_LITERAL.matcher(text);
    while (literal.find()) {
      String tag = literal.group(1);
      String value = literal.group(3);
      for (String m : measurements) {
        if (keys.containsKey(m) && keys.get(m).contains(tag) && isTag(m, tag)
            && !influxTagValues(m, tag).contains(value)) {
          problems.add(q.where() + ": tag " + tag + " of " + m + " never has the value '" + value + "' (values: "
              + influxTagValues(m, tag) + ")");
        }
      }
    }
  }

  private boolean isTag(String measurement, String key) {
    return !influxTagValues(measurement, key).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Prometheus
  // ---------------------------------------------------------------------------------------------

  private List<String> prometheusVariableValues(GrafanaDashboards.Query q, String text, List<String> problems) {
    Matcher m = LABEL_VALUES.matcher(text);
    if (!m.matches()) {
      problems.add(q.where() + ": only label_values(...) variables are checked (" + text + ")");
      return List.of();
    }
    String label = m.group(2);
    StringBuilder url = new StringBuilder(backends.prometheusUrl() + "/api/v1/label/" + enc(label) + "/values?start="
        + backends.from().getEpochSecond() + "&end=" + backends.to().getEpochSecond());
    if (m.group(1) != null) {
      checkPrometheusSchema(q, m.group(1), problems);
      url.append("&match[]=").append(enc(m.group(1).trim()));
    }
    JsonNode r = getJson(url.toString());
    if (!"success".equals(r.path("status").asText())) {
      problems.add(q.where() + ": Prometheus error: " + r.path("error").asText() + " (" + text + ")");
      return List.of();
    }
    List<String> values = new ArrayList<>();
    r.path("data").forEach(v -> values.add(v.asText()));
    return values;
  }

  private void checkPrometheusData(GrafanaDashboards.Query q, String text, List<String> problems) {
    long step = intervalSeconds(GrafanaDashboards.PROMETHEUS);
    JsonNode r = getJson(backends.prometheusUrl() + "/api/v1/query_range?query=" + enc(text)
        + "&start=" + backends.from().getEpochSecond() + "&end=" + backends.to().getEpochSecond() + "&step=" + step);
    if (!"success".equals(r.path("status").asText())) {
      problems.add(q.where() + ": Prometheus error: " + r.path("error").asText() + " (" + text + ")");
      return;
    }
    JsonNode result = r.at("/data/result");
    if (result.isEmpty()) {
      problems.add(q.where() + ": Prometheus returned no series (" + text + ")");
      return;
    }
    for (JsonNode series : result) {
      for (JsonNode point : series.path("values")) {
        String v = point.get(1).asText();
        if (!v.equals("NaN") && !v.endsWith("Inf")) {
          return;
        }
      }
    }
    problems.add(q.where() + ": Prometheus returned only NaN (" + text + ")");
  }

  private void checkPrometheusSchema(GrafanaDashboards.Query q, String text, List<String> problems) {
    if (promMetrics == null) {
      promMetrics = stringSet(getJson(backends.prometheusUrl() + "/api/v1/label/__name__/values").path("data"));
      promLabels = stringSet(getJson(backends.prometheusUrl() + "/api/v1/labels").path("data"));
    }
    Matcher blocks = MATCHERS.matcher(text);
    while (blocks.find()) {
      Matcher m = MATCHER.matcher(blocks.group(1));
      while (m.find()) {
        String label = m.group(1);
        if (!promLabels.contains(label)) {
          problems.add(q.where() + ": label " + label + " does not exist in Prometheus (" + text + ")");
        } else if ("=".equals(m.group(2)) && !promLabelValues(label).contains(m.group(3))) {
          problems.add(q.where() + ": label " + label + " never has the value \"" + m.group(3) + "\" (" + text + ")");
        }
      }
    }
    Matcher grouping = GROUPING.matcher(text);
    while (grouping.find()) {
      for (String label : grouping.group(1).split(",")) {
        String l = label.trim();
        if (!l.isEmpty() && !promLabels.contains(l)) {
          problems.add(q.where() + ": label " + l + " does not exist in Prometheus (" + text + ")");
        }
      }
    }
    // What is left once strings, matchers, ranges and groupings are gone: metric names,
    // functions (followed by "("), keywords and numbers.
    String bare = text.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Matcher id = IDENTIFIER.matcher(bare);
    while (id.find()) {
      String name = id.group(1);
      boolean function = id.group(2) != null;
      if (function || PROMQL_KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        continue;
      }
      if (!promMetrics.contains(name)) {
        problems.add(q.where() + ": metric " + name + " does not exist in Prometheus (" + text + ")");
      }
    }
  }

  private Set<String> promLabelValues(String label) {
    return promValuesCache.computeIfAbsent(label, l ->
        stringSet(getJson(backends.prometheusUrl() + "/api/v1/label/" + enc(l) + "/values").path("data")));
  }

  private static Set<String> stringSet(JsonNode array) {
    Set<String> out = new LinkedHashSet<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  private JsonNode getJson(String url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
          .build(), HttpResponse.BodyHandlers.ofString());
      // Prometheus answers errors (400, 422) with a JSON body that says why: keep it.
      return json.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: GET " + url, e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, UTF_8);
  }
}
