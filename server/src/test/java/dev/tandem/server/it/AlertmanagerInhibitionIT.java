package dev.tandem.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The example Alertmanager configuration (alert-rules/demo/alertmanager.yml) in a real
 * Alertmanager: while a cloud is down cloud-wide, that cloud's SLO alerts are inhibited; the other
 * cloud's are not.
 */
class AlertmanagerInhibitionIT {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();

  private static String alert(String name, String cloud, String severity) {
    return "{\"labels\":{\"alertname\":\"" + name + "\",\"cloud\":\"" + cloud + "\",\"severity\":\"" + severity
        + "\",\"slo\":\"order-submission-availability\"}}";
  }

  @Test
  void sloAlertsOfACloudDownCloudWideAreInhibited() throws Exception {
    TandemContainers.requireDocker();
    Path config = Path.of("..", "alert-rules", "demo", "alertmanager.yml").toAbsolutePath().normalize();
    try (TandemContainers.AlertmanagerContainer am = TandemContainers.alertmanager(config)) {
      am.start();
      String body = "[" + alert("TandemCloudWideOutage", "primary", "critical") + ","
          + alert("TandemSloBurnRate_order_submission_availability_page_fast", "primary", "page") + ","
          + alert("TandemSloBurnRate_order_submission_availability_page_fast", "secondary", "page") + "]";
      HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(am.baseUrl() + "/api/v2/alerts"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        JsonNode alerts = json.readTree(http.send(HttpRequest.newBuilder(URI.create(am.baseUrl() + "/api/v2/alerts"))
            .build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(alerts).hasSize(3);
        for (JsonNode a : alerts) {
          String name = a.at("/labels/alertname").asText();
          String cloud = a.at("/labels/cloud").asText();
          String state = a.at("/status/state").asText();
          if (name.startsWith("TandemSlo") && cloud.equals("primary")) {
            assertThat(state).as("primary SLO alert during the outage").isEqualTo("suppressed");
            assertThat(a.at("/status/inhibitedBy")).isNotEmpty();
          } else {
            assertThat(state).as(name + " in " + cloud).isEqualTo("active");
          }
        }
      });
    }
  }
}
