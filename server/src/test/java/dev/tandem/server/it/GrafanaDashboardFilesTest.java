package dev.tandem.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard files and the provisioning are a valid set without any database: JSON parses,
 * uids are stable and unique, panel ids are unique, every data source a panel, target, annotation
 * or variable names is provisioned with the same type, and every variable a query uses is defined.
 */
class GrafanaDashboardFilesTest {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");
  private static final Set<String> GRAFANA_MACROS = Set.of("timeFilter", "__interval", "interval",
      "__interval_ms", "__rate_interval", "__range", "__range_s", "__range_ms");

  @Test
  void provisioningNamesBothDataSourcesByStableUid() {
    Map<String, String> types = GrafanaDashboards.datasourceTypes();
    assertThat(types).containsEntry("tandem-influxdb", "influxdb").containsEntry("tandem-prometheus", "prometheus");
    Map<String, Object> influx = GrafanaDashboards.provisioned(GrafanaDashboards.DATASOURCES, "datasources").stream()
        .filter(d -> "tandem-influxdb".equals(d.get("uid"))).findFirst().orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, Object> jsonData = (Map<String, Object>) influx.get("jsonData");
    assertThat(jsonData).containsEntry("version", "InfluxQL").containsEntry("dbName", "tandem");
  }

  @Test
  void dashboardProviderLoadsTheFolderComposeMounts() throws Exception {
    List<Map<String, Object>> providers = GrafanaDashboards.provisioned(GrafanaDashboards.PROVIDERS, "providers");
    assertThat(providers).hasSize(1);
    @SuppressWarnings("unchecked")
    String path = String.valueOf(((Map<String, Object>) providers.get(0).get("options")).get("path"));
    String compose = Files.readString(GrafanaDashboards.ROOT.resolveSibling("docker").resolve("compose.yaml"));
    assertThat(compose).contains("../grafana/dashboards:" + path);
  }

  @Test
  void everyDashboardIsValid() {
    List<Path> files = GrafanaDashboards.files();
    assertThat(files).hasSizeGreaterThanOrEqualTo(4);
    Map<String, String> datasources = GrafanaDashboards.datasourceTypes();
    Set<String> uids = new HashSet<>();
    List<String> problems = new ArrayList<>();
    for (Path file : files) {
      JsonNode d = GrafanaDashboards.read(file);
      String name = file.getFileName().toString();
      String uid = d.path("uid").asText();
      if (!uid.matches("[a-z0-9-]{1,40}")) {
        problems.add(name + ": uid \"" + uid + "\" must be stable, short (at most 40) and lowercase");
      }
      if (!uids.add(uid)) {
        problems.add(name + ": uid " + uid + " is used by another dashboard");
      }
      if (!name.equals(uid + ".json")) {
        problems.add(name + ": file name should be its uid (" + uid + ".json)");
      }
      if (d.path("title").asText().isBlank() || d.path("schemaVersion").asInt() < 36) {
        problems.add(name + ": needs a title and a Grafana 10/11 schemaVersion (>= 36)");
      }
      if (d.has("id") && !d.path("id").isNull()) {
        problems.add(name + ": must not carry a database id (provisioning assigns it)");
      }
      Set<Integer> ids = new HashSet<>();
      for (JsonNode panel : GrafanaDashboards.panels(d)) {
        String where = name + " panel \"" + panel.path("title").asText() + "\"";
        if (!panel.path("id").isInt() || !ids.add(panel.path("id").asInt())) {
          problems.add(where + ": panel id " + panel.path("id") + " missing or not unique");
        }
        if (!panel.path("type").asText().equals("row")) {
          checkDatasource(where, panel.path("datasource"), datasources, problems);
          if (panel.path("targets").isEmpty()) {
            problems.add(where + ": has no queries");
          }
          if (panel.path("description").asText().isBlank()) {
            problems.add(where + ": say what it shows in its description");
          }
          JsonNode grid = panel.path("gridPos");
          if (grid.path("w").asInt() <= 0 || grid.path("h").asInt() <= 0
              || grid.path("x").asInt() + grid.path("w").asInt() > 24) {
            problems.add(where + ": gridPos " + grid + " does not fit Grafana's 24 columns");
          }
        }
        Set<String> refIds = new HashSet<>();
        for (JsonNode target : panel.path("targets")) {
          if (!refIds.add(target.path("refId").asText())) {
            problems.add(where + ": refId " + target.path("refId").asText() + " used twice");
          }
          if (target.has("datasource")) {
            checkDatasource(where + " target " + target.path("refId").asText(), target.path("datasource"),
                datasources, problems);
          }
        }
      }
      Set<String> variables = new HashSet<>();
      for (GrafanaDashboards.Query v : GrafanaDashboards.variables(d)) {
        checkDatasource(name + " " + v.where(), v.source().path("datasource"), datasources, problems);
        checkVariables(name + " " + v.where(), v.text(), variables, problems);
        variables.add(v.source().path("name").asText());
      }
      for (GrafanaDashboards.Query q : GrafanaDashboards.queries(d)) {
        if (q.kind() == GrafanaDashboards.Kind.ANNOTATION) {
          checkDatasource(name + " " + q.where(), q.source().path("datasource"), datasources, problems);
        }
        if (q.text() == null || q.text().isBlank()) {
          problems.add(name + " " + q.where() + ": no query");
        } else {
          checkVariables(name + " " + q.where(), q.text(), variables, problems);
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  private static void checkDatasource(String where, JsonNode ref, Map<String, String> provisioned,
      List<String> problems) {
    String uid = ref.path("uid").asText(null);
    String type = ref.path("type").asText(null);
    if (uid == null || !provisioned.containsKey(uid)) {
      problems.add(where + ": data source " + ref + " is not one of the provisioned " + provisioned.keySet());
    } else if (!provisioned.get(uid).equals(type)) {
      problems.add(where + ": data source " + uid + " is of type " + provisioned.get(uid) + ", not " + type);
    }
  }

  private static void checkVariables(String where, String text, Set<String> defined, List<String> problems) {
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      if (!GRAFANA_MACROS.contains(name) && !defined.contains(name)) {
        problems.add(where + ": uses $" + name + ", which is neither a Grafana macro nor a variable defined before it");
      }
    }
  }
}
