package io.fastvm.console.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (WebDriver); never a downloaded
 * browser or driver. Quitting the driver ends chromium and chromedriver.
 */
public final class Browser implements AutoCloseable {
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  public final ChromeDriver driver;
  private final ChromeDriverService service;

  public Browser(Path profileDir) throws Exception {
    Files.createDirectories(profileDir);
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        // the proxy's test certificate comes from a CA the browser does not know
        "--ignore-certificate-errors",
        "--window-size=1280,900",
        "--user-data-dir=" + profileDir);
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
  }

  public WebDriverWait waiting(Duration timeout) {
    return new WebDriverWait(driver, timeout, Duration.ofMillis(100));
  }

  /**
   * Waits until what the console page received from the guest ({@code
   * window.fastvmConsole.received}) contains {@code expected}; returns all of it, with each \r\n
   * read as \n.
   *
   * <p>(WebDriver hands strings back with \r\n turned into \n. The answer's line may end in a
   * "^[[row;colR": busybox's shell asks the terminal where its cursor is before each prompt, and
   * when xterm.js' reply comes before the shell set the line to raw mode, the line echoes it; so
   * expect an answer without its line end.)
   */
  public String awaitConsoleText(Duration timeout, String expected) {
    return waiting(timeout)
        .until(
            d -> {
              String text =
                  String.valueOf(driver.executeScript("return window.fastvmConsole.received"))
                      .replace("\r\n", "\n");
              return text.contains(expected) ? text : null;
            });
  }

  /**
   * Types {@code keys} into {@code input} until the page received {@code expected}, typing again
   * after each {@code patience} without it (a line typed while the guest's shell is still starting
   * may be lost: the guest says it is ready just before it starts the shell); returns all received.
   */
  public String typeUntilReceived(
      org.openqa.selenium.WebElement input,
      String keys,
      String expected,
      Duration patience,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      input.sendKeys(keys);
      try {
        return awaitConsoleText(patience, expected);
      } catch (org.openqa.selenium.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  /**
   * Skips the calling test class, saying what is missing, when a real guest or Chromium cannot run
   * here; on CI (CI=true) nothing is skipped, so a missing package fails the build instead.
   */
  public static void assumeGuestAndBrowser() {
    String missing = QemuGuest.missingPrerequisite();
    if (missing == null) {
      missing = missingPrerequisite();
    }
    if (missing != null && !"true".equals(System.getenv("CI"))) {
      Assumptions.abort("skipped: " + missing + " (dev/install-deps installs it)");
    }
  }

  public static String missingPrerequisite() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      return "Debian packages chromium and chromium-driver are not installed";
    }
    return null;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
