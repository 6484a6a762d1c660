package dev.tandem.server.status;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, driven headless through Debian's chromedriver. Both paths are explicit so
 * that Selenium Manager never looks for (or downloads) a browser or driver.
 */
public final class HeadlessChromium {
  /** Overridable for machines that put them elsewhere. */
  public static final Path BROWSER = Path.of(System.getProperty("tandem.chromium", "/usr/bin/chromium"));
  public static final Path DRIVER = Path.of(System.getProperty("tandem.chromedriver", "/usr/bin/chromedriver"));
  /** Where screenshots go: a build artefact of the server module. */
  public static final Path SCREENSHOTS = Path.of("target", "status-page");

  private HeadlessChromium() {}

  /**
   * Fails when CI=true and the browser or driver is missing (.ci/run installs them); elsewhere
   * the test is skipped with the reason.
   */
  public static void requireInstalled() {
    if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
      return;
    }
    String message = "the status page's browser tests need " + BROWSER + " and " + DRIVER
        + " (apt-get install chromium chromium-driver)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      Assertions.fail(message + "; CI=true, so this is a failure, not a skip");
    }
    Assumptions.abort(message);
  }

  /** A new headless browser with a phone-to-desktop friendly window. */
  public static ChromeDriver start(int width, int height) {
    requireInstalled();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-extensions", "--window-size=" + width + "," + height);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER.toString()))
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return driver;
  }

  /** Saves a PNG of the viewport under {@link #SCREENSHOTS}; returns its path. */
  public static Path screenshot(ChromeDriver driver, String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Path file = SCREENSHOTS.resolve(name + ".png");
    Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    return file;
  }
}
