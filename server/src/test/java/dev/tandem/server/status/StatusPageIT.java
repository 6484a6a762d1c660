package dev.tandem.server.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.judge.VerdictEngine;
import dev.tandem.engine.observation.HeartbeatObservation;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ProbeObservation;
import dev.tandem.engine.observation.ReplicationObservation;
import dev.tandem.engine.observation.TelemetryObservation;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import dev.tandem.engine.replay.VirtualClock;
import dev.tandem.server.api.ApiServer;
import dev.tandem.server.api.StatusBoard;
import dev.tandem.server.config.Secret;
import dev.tandem.server.config.TandemConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The status page in real headless Chromium against a real API server whose engine runs on a
 * virtual clock: the test moves time, so staleness is decided by the server's clock, not by
 * waiting. Observations are fed by the test (healthy clouds, live paths, a fresh replication lag).
 */
class StatusPageIT {
  private static final String DOMAIN = "order-platform";
  private static final String READ_TOKEN = "reader-token-0123456789";
  private static final String SLO = "order-submission-availability";

  private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-26T10:00:00Z"));
  private final AtomicLong runs = new AtomicLong();
  /** Primary refuses every request and its telemetry goes dark: a whole-cloud outage. */
  private final AtomicBoolean primaryDown = new AtomicBoolean();
  /** Primary's telemetry path goes quiet (no heartbeats, no SLO events) while its journeys pass. */
  private final AtomicBoolean primaryTelemetryLost = new AtomicBoolean();
  /** A step of primary's journey that answers 503 (a component fault); null: none. */
  private final AtomicReference<String> primaryFailingStep = new AtomicReference<>();
  private final AtomicReference<Double> standbyLag = new AtomicReference<>(4.5);
  /** Extra virtual time the next tick adds (moved by the ticker itself: one writer of the clock). */
  private final AtomicReference<Duration> jump = new AtomicReference<>(Duration.ZERO);
  private Vertx vertx;
  private VerdictEngine engine;
  private SloEngine slos;
  private StatusBoard board;
  private ApiServer api;
  private int port;
  private long ticker = -1;
  private ChromeDriver browser;

  @BeforeEach
  void setUp() {
    HeadlessChromium.requireInstalled();
    vertx = Vertx.vertx();
    engine = engine(Duration.ofSeconds(3));
    // One SLO fed by each cloud's own telemetry (as the demo's order-submission-availability).
    slos = new SloEngine(List.of(new SloSpec(SLO, SLO, "order-service", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, new BigDecimal("0.999"), null, null,
        new Selector(Selector.Source.SPAN, Map.of(Selector.SERVICE, "order-service")), null, null)),
        List.of("primary", "secondary"), clock);
    board = new StatusBoard(clock);
  }

  private VerdictEngine engine(Duration holdDown) {
    return VerdictEngine.create(new EngineSpec(new dev.tandem.engine.verdict.ObserverIdentity("obs-page", "primary"),
        List.of("primary", "secondary"),
        List.of(new DomainSpec(DOMAIN, "primary", "secondary", 60, "db.replication.lag",
            List.of("order-to-invoice"), List.of())),
        List.of(new VantageSpec("ext-1", "third-party", "eu"), new VantageSpec("in-primary", "primary", "eu-west"),
            new VantageSpec("in-secondary", "secondary", "eu-central")),
        List.of(new PathSpec("path-a", "primary"), new PathSpec("path-b", "secondary")),
        // Tick 1 s: a verdict is valid for 3 s of (virtual) time. Path silence 6 s: an SLO is
        // silent after 7 s (path silence plus one tick) without events.
        new EngineSettings(Duration.ofSeconds(1), holdDown, 2, Duration.ofSeconds(10),
            Duration.ofSeconds(6), Duration.ofSeconds(60))), clock);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (vertx != null) {
      if (api != null) {
        api.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private void startApi(List<Secret> readTokens, int onPort) throws Exception {
    api = new ApiServer(vertx, new TandemConfig.Api("127.0.0.1", onPort, readTokens, List.of()), engine, slos,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock, () -> true, board);
    port = api.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Every 200 ms of real time, one second of virtual time passes with healthy observations. */
  private void startTicking() {
    tick();
    ticker = vertx.setPeriodic(200, id -> tick());
  }

  private void tick() {
    clock.advance(Duration.ofSeconds(1).plus(jump.getAndSet(Duration.ZERO)));
    Instant now = clock.instant();
    List<Observation> batch = new ArrayList<>();
    boolean down = primaryDown.get();
    boolean dark = down || primaryTelemetryLost.get();
    for (String cloud : List.of("primary", "secondary")) {
      for (String vantage : List.of("ext-1", "in-primary", "in-secondary")) {
        // One journey run per vantage and cloud: its steps share the run id, as the runner's do;
        // a failed step ends the run.
        String run = "run-" + runs.incrementAndGet();
        for (String step : List.of("submit-order", "fetch-invoice")) {
          boolean primary = cloud.equals("primary");
          String error = primary && down ? "connection refused"
              : primary && step.equals(primaryFailingStep.get()) ? "status 503, expected 2xx" : null;
          batch.add(new ProbeObservation(now, run, "order-to-invoice", step, cloud, vantage, error == null, 40, error));
          if (error != null) {
            break;
          }
        }
      }
      if (!(cloud.equals("primary") && dark)) {
        batch.add(new TelemetryObservation(now, cloud.equals("primary") ? "path-a" : "path-b", cloud, "order-service",
            "POST /orders", "span", 100, 100));
      }
    }
    if (!dark) {
      batch.add(new HeartbeatObservation(now, "path-a", "primary"));
    }
    batch.add(new HeartbeatObservation(now, "path-b", "secondary"));
    batch.add(new ReplicationObservation(now, DOMAIN, "secondary", standbyLag.get()));
    for (Observation o : batch) {
      engine.accept(o);
      board.accept(o);
      slos.accept(o);
    }
    slos.evaluate();
    engine.evaluate();
  }

  private void open() {
    browser = HeadlessChromium.start(1280, 1400);
    browser.get("http://127.0.0.1:" + port + "/");
  }

  private String state(String id) {
    return browser.findElement(By.id(id)).getAttribute("data-state");
  }

  private WebElement rec() {
    return browser.findElement(By.cssSelector("article[data-domain='" + DOMAIN + "'] .rec"));
  }

  /** Text of the first element matching {@code css}, read in one script (cards are rebuilt). */
  private String text(String css) {
    return (String) browser.executeScript("var n = document.querySelector(arguments[0]); return n ? n.textContent : '';",
        css);
  }

  private String card(String css) {
    return text("article[data-domain='" + DOMAIN + "'] " + css);
  }

  private String cardState() {
    return (String) browser.executeScript("var n = document.querySelector(arguments[0]); return n ? n.dataset.state : null;",
        "article[data-domain='" + DOMAIN + "']");
  }

  private String recColour() {
    return (String) browser.executeScript("return getComputedStyle(document.querySelector(arguments[0])).color;",
        "article[data-domain='" + DOMAIN + "'] .rec");
  }

  private String sloRow(String cloud) {
    return (String) browser.executeScript("var r = document.querySelector(arguments[0]);"
        + " return r ? r.dataset.nodata + '|' + r.textContent : '';", "#slos tr[data-slo='" + SLO + "'][data-cloud='" + cloud + "']");
  }

  private void awaitLiveAndFresh() {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(state("conn")).isEqualTo("live");
      assertThat(state("fresh")).isEqualTo("fresh");
      assertThat(rec().getText()).contains("STAY");
    });
  }

  @Test
  void staleVerdictIsAnnouncedWhenTheEngineStopsJudging() throws Exception {
    startApi(List.of(), 0);
    startTicking();
    open();
    awaitLiveAndFresh();
    assertThat(browser.findElement(By.id("fresh-text")).getText()).isEqualTo("Verdicts are fresh");
    assertThat(browser.findElements(By.cssSelector(".stale-tag"))).isEmpty();

    // The engine stops judging (no more ticks) while the server's clock moves on a minute.
    vertx.cancelTimer(ticker);
    clock.advance(Duration.ofSeconds(60));

    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(state("fresh")).isEqualTo("stale");
      assertThat(browser.findElement(By.id("fresh-text")).getText())
          .contains("Stale verdict for " + DOMAIN).contains("past its validUntil").contains("UNKNOWN");
      assertThat(rec().getText()).contains("STAY").contains("STALE");
      assertThat(card(".stateline")).contains("Stale, treat as UNKNOWN; it said: All clear");
    });
    assertThat(browser.findElement(By.id("fresh-detail")).getText()).contains("expired at 10:00:");
    // The stream itself is fine: the warning is about the verdict's age, not the connection.
    assertThat(state("conn")).isEqualTo("live");
    assertThat(browser.findElement(By.cssSelector("article[data-domain='" + DOMAIN + "']"))
        .getAttribute("data-stale")).isEqualTo("true");
    HeadlessChromium.screenshot(browser, "stale-verdict");
  }

  @Test
  void lostStreamIsAnnouncedAndTheKeyboardCanReconnect() throws Exception {
    startApi(List.of(), 0);
    startTicking();
    open();
    awaitLiveAndFresh();

    int was = port;
    api.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    api = null;
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(state("conn")).isEqualTo("lost");
      assertThat(browser.findElement(By.id("conn-text")).getText()).startsWith("Live stream lost");
      assertThat(browser.findElement(By.id("reconnect")).isDisplayed()).isTrue();
    });
    // With the server gone the verdict also runs out: both warnings are up.
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(state("fresh")).isEqualTo("stale"));

    // The button is pressed before the page's own next try (else that try reconnects first, the
    // button is gone and the keyboard path is not what reconnected): wait for a try at least 3 s off.
    java.util.regex.Pattern nextTry = java.util.regex.Pattern.compile("next try in (\\d+) s");
    await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
      java.util.regex.Matcher m = nextTry.matcher(browser.findElement(By.id("conn-detail")).getText());
      assertThat(m.find() && Integer.parseInt(m.group(1)) >= 3).as("a retry at least 3 s away").isTrue();
    });
    startApi(List.of(), was);
    WebElement reconnect = browser.findElement(By.id("reconnect"));
    reconnect.sendKeys(Keys.ENTER);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(state("conn")).isEqualTo("live");
      assertThat(state("fresh")).isEqualTo("fresh");
    });
    assertThat(browser.findElement(By.id("reconnect")).isDisplayed()).isFalse();
  }

  @Test
  void leavingThePageGivesItsStreamConnectionBack() throws Exception {
    startApi(List.of(), 0);
    startTicking();
    open();
    awaitLiveAndFresh();
    // Chromium allows six HTTP/1.1 connections per server. A page that kept its stream open after
    // being left (e.g. in the back/forward cache) would starve the seventh visit's requests.
    for (int i = 0; i < 8; i++) {
      browser.get("about:blank");
      browser.get("http://127.0.0.1:" + port + "/");
      awaitLiveAndFresh();
    }
    browser.navigate().back();
    browser.navigate().back();
    awaitLiveAndFresh();
  }

  @Test
  void asksForAReadTokenRefusesAWrongOneAndKeepsAGoodOneInTheSessionOnly() throws Exception {
    startApi(List.of(new Secret(READ_TOKEN)), 0);
    startTicking();
    open();
    WebElement input = browser.findElement(By.id("token"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(browser.findElement(By.id("auth")).isDisplayed()).isTrue();
      assertThat(state("conn")).isEqualTo("auth");
    });
    assertThat(browser.switchTo().activeElement()).isEqualTo(input);
    assertThat(browser.findElements(By.cssSelector("article[data-domain]"))).isEmpty();

    input.sendKeys("not-the-token", Keys.ENTER);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(browser.findElement(By.id("auth-error")).getText()).contains("refused").contains("401"));
    assertThat(browser.executeScript("return sessionStorage.getItem('tandem.readToken')")).isNull();

    input.clear();
    input.sendKeys(READ_TOKEN, Keys.ENTER);
    awaitLiveAndFresh();
    assertThat(browser.findElement(By.id("auth")).isDisplayed()).isFalse();
    assertThat(browser.executeScript("return sessionStorage.getItem('tandem.readToken')")).isEqualTo(READ_TOKEN);
    assertThat(browser.executeScript("return localStorage.length")).isEqualTo(0L);
    assertThat(browser.executeScript("return document.cookie")).isEqualTo("");

    // A reload in the same tab keeps working without asking again.
    browser.navigate().refresh();
    awaitLiveAndFresh();
    assertThat(browser.findElement(By.id("auth")).isDisplayed()).isFalse();
  }

  @Test
  void everyStatusHasTextLandmarksHeadingsAndKeyboardFocus() throws Exception {
    startApi(List.of(), 0);
    startTicking();
    open();
    awaitLiveAndFresh();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(browser.findElements(By.cssSelector("#probes td.cell"))).hasSize(2 * 2 * 3);
      assertThat(browser.findElements(By.cssSelector("#paths tbody tr"))).hasSize(2);
    });

    assertThat(browser.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo("en");
    assertThat(browser.findElements(By.tagName("main"))).hasSize(1);
    assertThat(browser.findElements(By.tagName("h1"))).hasSize(1);
    assertThat(browser.findElements(By.cssSelector("h2")).stream().map(WebElement::getText))
        .anyMatch(t -> t.contains(DOMAIN)).anyMatch(t -> t.startsWith("Probes"))
        .anyMatch(t -> t.startsWith("SLOs")).anyMatch(t -> t.startsWith("Telemetry paths"));
    assertThat(rec().getAttribute("aria-live")).isEqualTo("polite");
    // Colour is never the only signal: every badge says in words what its colour says, and its
    // icon (a shape) is hidden from screen readers because the word is there.
    // Read in one script: the tables are rebuilt on every poll, so element handles would go stale.
    @SuppressWarnings("unchecked")
    List<String> badges = (List<String>) browser.executeScript("return Array.from(document.querySelectorAll('.badge'))"
        + ".map(function (b) { var i = b.querySelector('.icon'); return (i && i.getAttribute('aria-hidden')) + '|'"
        + " + b.textContent.replace(i ? i.textContent : '', '').trim(); });");
    assertThat(badges).hasSizeGreaterThan(15).allSatisfy(b -> assertThat(b).matches("true\\|.*[A-Za-z].*"));
    @SuppressWarnings("unchecked")
    List<String> cells = (List<String>) browser.executeScript(
        "return Array.from(document.querySelectorAll('#probes td.cell')).map(function (c) { return c.textContent; });");
    assertThat(cells).hasSize(12).allMatch(t -> t.equals("✓ok"));
    assertThat((String) browser.executeScript("return document.getElementById('paths').textContent"))
        .contains("path-a").contains("path-b").contains("alive");
    // Read in one script too: the cloud cards are rebuilt when a verdict arrives.
    @SuppressWarnings("unchecked")
    List<String> clouds = (List<String>) browser.executeScript(
        "return Array.from(document.querySelectorAll('.cloud')).map(function (c) { return c.innerText; });");
    assertThat(clouds).hasSizeGreaterThanOrEqualTo(2);
    assertThat(clouds.get(0)).contains("Health").contains("HEALTHY").contains("Fault");
    assertThat(clouds.get(1)).contains("ready to take over").contains("lag 4.5 s of the 60 s RPO");
    assertThat((Long) browser.executeScript("return document.querySelectorAll('#probes th:not([scope]), #paths th:not([scope])').length"))
        .isZero();

    // Keyboard: tabbing from the top reaches the skip link, the evidence toggles and the
    // scrollable tables, each with a visible focus ring.
    vertx.cancelTimer(ticker);   // the verdict stops changing, so the evidence toggles stay put
    List<String> reached = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      new org.openqa.selenium.interactions.Actions(browser).sendKeys(Keys.TAB).perform();
      // Described in one script: the focused element may be re-rendered between two calls.
      String f = (String) browser.executeScript("var f = document.activeElement;"
          + " return f.tagName.toLowerCase() + '#' + f.id + ':' + f.textContent.trim().split('\\n')[0] + '|'"
          + " + getComputedStyle(f).outlineStyle;");
      if (f.startsWith("body#")) {
        continue;   // the first key press may only bring focus into the headless window
      }
      reached.add(f);
      assertThat(f).as("focus ring").doesNotEndWith("|none");
    }
    assertThat(reached).anyMatch(s -> s.contains("Skip to the verdicts"))
        .anyMatch(s -> s.startsWith("summary#") && s.contains("Evidence"))
        .anyMatch(s -> s.startsWith("div#probes"));
    // Evidence opens from the keyboard.
    browser.executeScript("document.querySelector('article[data-domain] summary').focus()");
    new org.openqa.selenium.interactions.Actions(browser).sendKeys(Keys.ENTER).perform();
    await().atMost(Duration.ofSeconds(5)).until(() -> (Boolean) browser.executeScript(
        "return document.querySelector('article[data-domain] details').open"));

    // No layout shift once data has arrived (cumulative layout shift as Chromium measures it).
    Object cls = browser.executeAsyncScript("var done = arguments[0]; var sum = 0;"
        + "new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { if (!e.hadRecentInput) { sum += e.value; } }); })"
        + ".observe({type: 'layout-shift', buffered: true}); setTimeout(function () { done(sum); }, 300);");
    assertThat(((Number) cls).doubleValue()).as("cumulative layout shift").isLessThan(0.1);
  }

  @Test
  void darkByDefaultLightOnRequestAndNoSidewaysScrollOnAPhone() throws Exception {
    startApi(List.of(), 0);
    startTicking();
    browser = HeadlessChromium.start(390, 844);
    browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
        List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    browser.get("http://127.0.0.1:" + port + "/");
    awaitLiveAndFresh();
    String dark = browser.findElement(By.tagName("body")).getCssValue("background-color");
    assertThat(luminance(dark)).as("dark background " + dark).isLessThan(0.1);
    Number overflow = (Number) browser.executeScript(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assertThat(overflow.intValue()).as("sideways overflow on a 390 px wide phone").isLessThanOrEqualTo(0);
    HeadlessChromium.screenshot(browser, "phone-dark");

    browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
        List.of(Map.of("name", "prefers-color-scheme", "value", "light"))));
    String light = browser.findElement(By.tagName("body")).getCssValue("background-color");
    assertThat(luminance(light)).as("light background " + light).isGreaterThan(0.8);

    // In a dark room with a light system theme: the theme button forces dark (keyboard: Enter).
    WebElement theme = browser.findElement(By.id("theme"));
    assertThat(theme.getText()).isEqualTo("Theme: auto");
    theme.sendKeys(Keys.ENTER);
    assertThat(theme.getText()).isEqualTo("Theme: dark");
    String forced = browser.findElement(By.tagName("body")).getCssValue("background-color");
    assertThat(luminance(forced)).as("forced dark background " + forced).isLessThan(0.1);
  }

  @Test
  void aConfirmingOutageHasItsOwnLookAndACountdownOnTheServersClock() throws Exception {
    // A hold-down of 60 s of virtual time (12 s of real time at the ticker's pace): long enough to
    // watch the countdown move.
    engine = engine(Duration.ofSeconds(60));
    startApi(List.of(), 0);
    startTicking();
    open();
    awaitLiveAndFresh();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(cardState()).isEqualTo("ALL_CLEAR");
      assertThat(card(".stateline")).isEqualTo("● All clear: primary is healthy and secondary is ready to take over");
      assertThat(card(".drline")).contains("Standby secondary is ready: disaster recovery available");
    });
    String allClear = recColour();
    assertThat(card(".rec")).isEqualTo("Recommendation for " + DOMAIN + ": ● STAY");

    primaryDown.set(true);
    java.util.regex.Pattern countdown = java.util.regex.Pattern.compile(
        "Confirming an outage of primary: FAILOVER possible in (?:(\\d+) min )?(\\d+) s \\(hold-down ends \\d\\d:\\d\\d:\\d\\d UTC\\)");
    AtomicReference<Integer> first = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      assertThat(cardState()).isEqualTo("CONFIRMING");
      java.util.regex.Matcher m = countdown.matcher(card(".stateline"));
      assertThat(m.find()).as(card(".stateline")).isTrue();
      first.set(seconds(m));
    });
    // Still STAY (the recommendation has not changed), but not the all-clear look: another shape
    // and colour, and the words say what is going on.
    assertThat(card(".rec")).isEqualTo("Recommendation for " + DOMAIN + ": △ STAY");
    assertThat(recColour()).isNotEqualTo(allClear);
    // Never more than the hold-down: the page's estimate of the server's clock (from its polls)
    // trails the virtual clock, which runs five times faster than real time here, but the server's
    // clock is at least at the verdict's generatedAt.
    assertThat(first.get()).isBetween(1, 60);
    assertThat(card(".clouds")).contains("cloud-wide");
    HeadlessChromium.screenshot(browser, "confirming");
    // The same on a phone in the dark: no sideways scroll, the words still there.
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
        List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(((Number) browser.executeScript(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")).intValue())
        .as("sideways overflow on a 390 px wide phone")
        .isLessThanOrEqualTo(0));
    assertThat(card(".stateline")).contains("Confirming an outage of primary");
    HeadlessChromium.screenshot(browser, "confirming-phone-dark");

    // The countdown follows the server's (virtual) clock.
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      java.util.regex.Matcher m = countdown.matcher(card(".stateline"));
      assertThat(m.find()).as(card(".stateline")).isTrue();
      assertThat(seconds(m)).isLessThan(first.get());
    });

    await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
      assertThat(cardState()).isEqualTo("FAILOVER");
      assertThat(card(".rec")).isEqualTo("Recommendation for " + DOMAIN + ": ▲ FAILOVER");
      assertThat(card(".stateline")).contains("Failover recommended: primary is down cloud-wide and secondary is ready");
    });
    // The dark cloud's SLO is not shown as healthy meanwhile.
    assertThat(sloRow("primary")).startsWith("true|").contains("no data").doesNotContain("% left");
  }

  @Test
  void noReadyStandbyIsSaidInWordsAndNeverLooksAllClear() throws Exception {
    startApi(List.of(), 0);
    startTicking();
    open();
    awaitLiveAndFresh();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(cardState()).isEqualTo("ALL_CLEAR"));
    String allClear = recColour();

    // The standby falls behind: replication lag over the RPO.
    standbyLag.set(120.0);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(cardState()).isEqualTo("NO_STANDBY");
      assertThat(card(".stateline")).isEqualTo("⊘ No standby ready: disaster recovery unavailable");
      assertThat(card(".drline")).contains("Standby secondary is not ready:")
          .contains("replication lag 120.0 s is over the RPO of 60 s");
    });
    assertThat(card(".rec")).isEqualTo("Recommendation for " + DOMAIN + ": ⊘ STAY");
    assertThat(recColour()).isNotEqualTo(allClear);
    assertThat(browser.findElement(By.cssSelector("article[data-domain='" + DOMAIN + "'] .state-text"))
        .getAttribute("aria-live")).isEqualTo("polite");
    HeadlessChromium.screenshot(browser, "no-standby");

    // Under another state (a component fault in primary) the missing standby is a second line.
    primaryFailingStep.set("fetch-invoice");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(cardState()).isEqualTo("DEGRADED");
      assertThat(card(".stateline")).isEqualTo("◐ Degraded, no failover: primary has a component fault");
      assertThat(card(".drline")).contains("No standby ready: disaster recovery unavailable.")
          .contains("replication lag 120.0 s is over the RPO of 60 s");
    });
    assertThat(recColour()).isNotEqualTo(allClear);
  }

  @Test
  void anSloWhoseEventsStopShowsNoDataNeverAFullBudget() throws Exception {
    startApi(List.of(), 0);
    startTicking();
    open();
    awaitLiveAndFresh();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(sloRow("primary")).startsWith("false|").contains("100.0 % left").contains("none firing")
          .contains("last event");
      assertThat(sloRow("secondary")).startsWith("false|").contains("% left");
    });

    // Primary's telemetry path goes quiet (its journeys still pass): its SLO has no data.
    primaryTelemetryLost.set(true);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(sloRow("primary")).startsWith("true|").contains("no data").contains("silent for")
          .contains("unknown: no data").doesNotContain("% left").doesNotContain("none firing");
      assertThat(sloRow("secondary")).startsWith("false|").contains("% left").contains("none firing");
    });
    // The telemetry fault is not an all-clear either.
    assertThat(cardState()).isEqualTo("DEGRADED");
    assertThat(card(".stateline")).contains("silent telemetry path");
    HeadlessChromium.screenshot(browser, "slo-no-data");

    // Ten minutes on: the engine's no-data rule fires for it.
    jump.set(Duration.ofMinutes(10));
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(sloRow("primary")).startsWith("true|").contains("no-data alert firing").contains("silent for 10 min"));

    // Events again: a budget again.
    primaryTelemetryLost.set(false);
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(sloRow("primary")).startsWith("false|").contains("% left").contains("none firing"));
  }

  private static int seconds(java.util.regex.Matcher countdown) {
    return (countdown.group(1) == null ? 0 : 60 * Integer.parseInt(countdown.group(1))) + Integer.parseInt(countdown.group(2));
  }

  /** Relative luminance 0..1 of a CSS rgb()/rgba() colour. */
  private static double luminance(String css) {
    String[] p = css.replaceAll("[^0-9.,]", "").split(",");
    double r = Double.parseDouble(p[0]) / 255;
    double g = Double.parseDouble(p[1]) / 255;
    double b = Double.parseDouble(p[2]) / 255;
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
}
