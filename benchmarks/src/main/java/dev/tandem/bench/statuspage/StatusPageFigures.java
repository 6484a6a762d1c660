package dev.tandem.bench.statuspage;

import dev.tandem.bench.demo.DemoConfig;
import dev.tandem.server.config.Validation;
import dev.tandem.server.demo.Demo;
import io.vertx.core.Vertx;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page's weight and its time to first meaningful render on loopback, against the demo
 * (examples/demo) running in this process: bytes of the page's files as served (gzip and not),
 * bytes a first load transfers (page plus its first API answers, as Chromium's resource timing
 * reports them), and over N loads the time from navigation start to the first verdict on screen
 * (the page's {@code tandem-first-verdict} performance mark), cold (browser cache off) and warm
 * (revalidated by ETag).
 *
 * <p>Needs Debian's chromium and chromium-driver. Run from the repository root:
 * {@code java -cp benchmarks/target/benchmarks.jar dev.tandem.bench.statuspage.StatusPageFigures [runs]}
 */
public final class StatusPageFigures {
  private static final List<String> FILES = List.of("/", "/status/status.js", "/status/status.css");

  private StatusPageFigures() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    Path dir = Files.createTempDirectory("tandem-status-page");
    Validation.Result valid = DemoConfig.copy(dir, yaml -> yaml);
    Vertx vertx = Vertx.vertx();
    Demo demo = Demo.start(vertx, valid.config().get().withEphemeralPorts(), valid.journeys(), valid.sloSpecs(),
        Clock.systemUTC(), Map.of("primary", 0, "secondary", 0))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    String base = "http://127.0.0.1:" + demo.node().apiPort();
    ChromeDriver browser = null;
    try {
      // Warm-up, not synchronisation: let the probes fill the matrix and the SLOs their
      // history, so the page is as heavy as it gets in the demo.
      TimeUnit.SECONDS.sleep(15);
      weights(base);
      browser = chromium();
      System.out.println();
      firstLoad(browser, base);
      System.out.println();
      browser.executeCdpCommand("Network.enable", Map.of());
      browser.executeCdpCommand("Network.setCacheDisabled", Map.of("cacheDisabled", true));
      report("cold (cache off)", times(browser, base, runs));
      browser.executeCdpCommand("Network.setCacheDisabled", Map.of("cacheDisabled", false));
      report("warm (ETag revalidation)", times(browser, base, runs));
    } finally {
      if (browser != null) {
        browser.quit();
      }
      demo.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void weights(String base) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long plain = 0;
    long gzip = 0;
    System.out.println("page files as served (bytes of body):");
    for (String f : FILES) {
      long p = http.send(HttpRequest.newBuilder(URI.create(base + f)).build(),
          HttpResponse.BodyHandlers.ofByteArray()).body().length;
      long g = http.send(HttpRequest.newBuilder(URI.create(base + f)).header("Accept-Encoding", "gzip").build(),
          HttpResponse.BodyHandlers.ofByteArray()).body().length;
      System.out.printf("  %-20s %7d plain %7d gzip%n", f, p, g);
      plain += p;
      gzip += g;
    }
    System.out.printf("  %-20s %7d plain %7d gzip%n", "total", plain, gzip);
  }

  private static ChromeDriver chromium() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(new File(System.getProperty("tandem.chromium", "/usr/bin/chromium")));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-extensions", "--window-size=1280,1000");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(System.getProperty("tandem.chromedriver", "/usr/bin/chromedriver")))
        .usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return driver;
  }

  /**
   * Loads the page once; returns, in ms since navigation start: the first verdict on screen (the
   * page's mark), DOMContentLoaded and the first contentful paint (what the browser alone costs).
   */
  private static double[] load(ChromeDriver browser, String base) {
    browser.get("about:blank");
    browser.get(base + "/");
    try {
      @SuppressWarnings("unchecked")
      List<Number> t = (List<Number>) browser.executeAsyncScript("var done = arguments[0];"
          + "(function wait() { var m = performance.getEntriesByName('tandem-first-verdict');"
          + " var p = performance.getEntriesByName('first-contentful-paint');"
          + " var n = performance.getEntriesByType('navigation')[0];"
          + " if (m.length && p.length) { done([m[0].startTime, n.domContentLoadedEventEnd, p[0].startTime]); }"
          + " else { setTimeout(wait, 5); } })();");
      return new double[] {t.get(0).doubleValue(), t.get(1).doubleValue(), t.get(2).doubleValue()};
    } catch (org.openqa.selenium.ScriptTimeoutException e) {
      throw new IllegalStateException("no first verdict on the page: " + browser.executeScript(
          "return document.getElementById('conn').textContent + ' | ' + document.getElementById('fresh').textContent"), e);
    }
  }

  private static void firstLoad(ChromeDriver browser, String base) {
    load(browser, base);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> entries = (List<Map<String, Object>>) browser.executeScript(
        "var nav = performance.getEntriesByType('navigation')[0];"
            + "return [nav].concat(performance.getEntriesByType('resource')).map(function (e) {"
            + " return {name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize, decoded: e.decodedBodySize}; });");
    long transfer = 0;
    long decoded = 0;
    System.out.println("first load as Chromium's resource timing saw it (stream excluded):");
    for (Map<String, Object> e : entries) {
      String name = String.valueOf(e.get("name")).replaceFirst("^http://[^/]+", "");
      if (name.contains("/stream")) {
        continue;
      }
      long t = ((Number) e.get("transfer")).longValue();
      long d = ((Number) e.get("decoded")).longValue();
      System.out.printf("  %-24s %7d transferred %7d decoded%n", name, t, d);
      transfer += t;
      decoded += d;
    }
    System.out.printf("  %-24s %7d transferred %7d decoded%n", "total", transfer, decoded);
  }

  private static List<double[]> times(ChromeDriver browser, String base, int runs) {
    load(browser, base);   // one untimed load: JIT and connection set-up on both sides
    List<double[]> out = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      out.add(load(browser, base));
    }
    return out;
  }

  private static void report(String what, List<double[]> loads) {
    System.out.printf("%s, %d loads (ms since navigation start):%n", what, loads.size());
    String[] names = {"first verdict on screen", "DOMContentLoaded", "first contentful paint"};
    for (int k = 0; k < names.length; k++) {
      List<Double> sorted = new ArrayList<>();
      for (double[] l : loads) {
        sorted.add(l[k]);
      }
      Collections.sort(sorted);
      double median = sorted.get(sorted.size() / 2);
      double p95 = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.95) - 1));
      System.out.printf("  %-24s median %6.1f  p95 %6.1f  min %6.1f  max %6.1f%n", names[k], median, p95,
          sorted.get(0), sorted.get(sorted.size() - 1));
    }
  }
}
