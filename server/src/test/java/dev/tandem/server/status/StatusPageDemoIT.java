package dev.tandem.server.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.engine.verdict.Recommendation;
import dev.tandem.server.TestConfigs;
import dev.tandem.server.config.Validation;
import dev.tandem.server.demo.Demo;
import dev.tandem.server.demo.Scenario;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The status page on a whole in-process demo (simulator, two OTLP paths, probes from three
 * vantages, engine, API) with the fast test timings: it shows live data, then (when the active
 * cloud goes down) the confirming state with its countdown, then FAILOVER with its reason, and the
 * dark cloud's SLO as "no data". The screenshots are kept in target/status-page/.
 */
class StatusPageDemoIT {
  @TempDir
  Path dir;

  private Vertx vertx;
  private Demo demo;
  private ChromeDriver browser;

  @BeforeEach
  void startDemo() throws Exception {
    HeadlessChromium.requireInstalled();
    vertx = Vertx.vertx();
    // A 10 s hold-down instead of the fast demo's 3 s: the confirming state lasts long enough for
    // its screenshot even on a loaded machine (the sequence itself is recorded by the page).
    Path config = TestConfigs.fastDemo(dir, "");
    String yaml = Files.readString(config);
    assertThat(yaml).contains("holdDownSeconds: 3,");
    Files.writeString(config, yaml.replace("holdDownSeconds: 3,", "holdDownSeconds: 10,"));
    Validation.Result loaded = TestConfigs.load(config);
    demo = Demo.start(vertx, loaded.config().get(), loaded.journeys(), loaded.sloSpecs(), Clock.systemUTC(),
        Map.of("primary", 0, "secondary", 0)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (demo != null) {
      demo.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private String text(String css) {
    return (String) browser.executeScript("var n = document.querySelector(arguments[0]); return n ? n.textContent : '';",
        css);
  }

  private String state() {
    return (String) browser.executeScript("var n = document.querySelector(\"article[data-domain='order-platform']\");"
        + " return n ? n.dataset.state : null;");
  }

  private String sloRow(String slo, String cloud) {
    return (String) browser.executeScript("var r = document.querySelector(arguments[0]);"
        + " return r ? r.dataset.nodata + '|' + r.textContent : '';", "#slos tr[data-slo='" + slo + "'][data-cloud='" + cloud + "']");
  }

  private static int indexOf(java.util.List<String> states, String prefix) {
    for (int i = 0; i < states.size(); i++) {
      if (states.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void showsLiveDataThenConfirmingThenFailoverWithItsReasonWhenTheActiveCloudGoesDown() throws Exception {
    browser = HeadlessChromium.start(1280, 2200);
    browser.get("http://127.0.0.1:" + demo.node().apiPort() + "/");

    // Live: the stream is up, the verdict is fresh, and the standby is ready with its lag shown.
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(browser.findElement(By.id("conn")).getAttribute("data-state")).isEqualTo("live");
      assertThat(browser.findElement(By.id("fresh")).getAttribute("data-state")).isEqualTo("fresh");
      assertThat(text("article[data-domain='order-platform'] .rec")).contains("STAY");
      assertThat(text("article[data-domain='order-platform'] .clouds")).contains("ready to take over")
          .containsPattern("lag \\d+\\.\\d s of the 60 s RPO");
      assertThat(text("#probes")).contains("ext-1").contains("in-primary").contains("in-secondary").contains("ok");
      assertThat(text("#paths")).contains("path-a").contains("path-b").contains("alive");
      assertThat(text("#slos")).contains("order-submission-availability").contains("% left");
      assertThat(state()).isEqualTo("ALL_CLEAR");
      assertThat(text("article[data-domain='order-platform'] .stateline")).contains("All clear");
    });
    assertThat(text("#observer")).contains("obs-test");

    // The page records every state it shows (and its words), so that the test waits on events
    // rather than hoping to catch a short state by polling.
    browser.executeScript("var a = document.querySelector(\"article[data-domain='order-platform']\");"
        + " var seen = window.tandemStates = [];"
        + " function note() { var s = a.dataset.state + '|' + a.querySelector('.state-text').textContent;"
        + "   if (seen[seen.length - 1] !== s) { seen.push(s); } }"
        + " note(); new MutationObserver(note).observe(a, {subtree: true, childList: true, characterData: true,"
        + "   attributes: true, attributeFilter: ['data-state']});");

    demo.play(Scenario.CLOUD_OUTAGE, Duration.ZERO);

    // Before FAILOVER: STAY, but confirming, with its own look and a countdown.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      assertThat(state()).isEqualTo("CONFIRMING");
      assertThat(text("article[data-domain='order-platform'] .stateline"))
          .containsPattern("Confirming an outage of primary: FAILOVER possible (in \\d+ s|now)");
    });
    assertThat(text("article[data-domain='order-platform'] .rec")).contains("△ STAY");
    HeadlessChromium.screenshot(browser, "cloud-outage-confirming");

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(demo.node().engine().current("order-platform").orElseThrow().recommendation())
          .isEqualTo(Recommendation.FAILOVER);
      assertThat(text("article[data-domain='order-platform'] .rec")).contains("FAILOVER");
    });
    @SuppressWarnings("unchecked")
    java.util.List<String> states = (java.util.List<String>) browser.executeScript("return window.tandemStates;");
    int confirming = indexOf(states, "CONFIRMING|Confirming an outage of primary: FAILOVER possible");
    int failover = indexOf(states, "FAILOVER|Failover recommended: primary is down cloud-wide");
    assertThat(confirming).as("states shown: %s", states).isNotNegative().isLessThan(failover);
    assertThat(states.get(0)).startsWith("ALL_CLEAR|");
    String reason = demo.node().engine().current("order-platform").orElseThrow().reason();
    assertThat(text("article[data-domain='order-platform'] .reason")).startsWith("Fail over to secondary")
        .isEqualTo(reason);
    assertThat(text("article[data-domain='order-platform'] .held")).startsWith("FAILOVER has held for");
    assertThat(text("article[data-domain='order-platform'] .clouds")).contains("UNHEALTHY").contains("CLOUD_WIDE");
    // The page says in words (not only in red) that primary's probes fail.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(text("#probes")).contains("fail"));
    assertThat(browser.findElement(By.cssSelector("article[data-domain='order-platform'] .rec"))
        .getAttribute("data-rec")).isEqualTo("FAILOVER");

    // The dark cloud's own telemetry stopped: its SLO says "no data", not a full budget. The
    // journey SLO, fed by the probes from outside, keeps counting (and burning).
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(sloRow("order-submission-availability", "primary")).startsWith("true|").contains("no data")
          .doesNotContain("% left").doesNotContain("none firing");
      assertThat(sloRow("order-journey-availability", "primary")).startsWith("false|");
    });

    // The artefact shows the page as an on-call room sees it: the dark theme.
    browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
        java.util.List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    Path shot = HeadlessChromium.screenshot(browser, "cloud-outage-failover");
    assertThat(Files.size(shot)).isGreaterThan(10_000);
  }
}
