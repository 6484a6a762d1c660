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
 * vantages, engine, API) with the fast test timings: it shows live data, then FAILOVER with its
 * reason when the active cloud goes down. The screenshot is kept in target/status-page/.
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
    Validation.Result loaded = TestConfigs.load(TestConfigs.fastDemo(dir, ""));
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

  @Test
  void showsLiveDataThenFailoverWithItsReasonWhenTheActiveCloudGoesDown() throws Exception {
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
    });
    assertThat(text("#observer")).contains("obs-test");

    demo.play(Scenario.CLOUD_OUTAGE, Duration.ZERO);

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(demo.node().engine().current("order-platform").orElseThrow().recommendation())
          .isEqualTo(Recommendation.FAILOVER);
      assertThat(text("article[data-domain='order-platform'] .rec")).contains("FAILOVER");
    });
    String reason = demo.node().engine().current("order-platform").orElseThrow().reason();
    assertThat(text("article[data-domain='order-platform'] .reason")).startsWith("Fail over to secondary")
        .isEqualTo(reason);
    assertThat(text("article[data-domain='order-platform'] .held")).startsWith("FAILOVER has held for");
    assertThat(text("article[data-domain='order-platform'] .clouds")).contains("UNHEALTHY").contains("CLOUD_WIDE");
    // The page says in words (not only in red) that primary's probes fail.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(text("#probes")).contains("fail"));
    assertThat(browser.findElement(By.cssSelector("article[data-domain='order-platform'] .rec"))
        .getAttribute("data-rec")).isEqualTo("FAILOVER");

    // The artefact shows the page as an on-call room sees it: the dark theme.
    browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
        java.util.List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    Path shot = HeadlessChromium.screenshot(browser, "cloud-outage-failover");
    assertThat(Files.size(shot)).isGreaterThan(10_000);
  }
}
