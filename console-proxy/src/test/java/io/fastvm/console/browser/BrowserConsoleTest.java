package io.fastvm.console.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.console.testing.Browser;
import io.fastvm.console.testing.ProxyHarness;
import io.fastvm.console.testing.QemuGuest;
import io.fastvm.console.testing.Screen;
import io.fastvm.node.testing.TestGuests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The whole byte path with real parts: a QEMU guest (TCG) serving VNC, SPICE and serial on unix
 * sockets, the mutual-TLS console endpoint in front of them, the proxy (Kubernetes is the fabric8
 * mock API server), and the real noVNC, spice-html5 and xterm.js pages in Debian's headless
 * Chromium. What the browser shows is compared pixel by pixel with QEMU's own screendump.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserConsoleTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  Path dir;
  ProxyHarness harness;
  QemuGuest guest;
  Browser browser;

  @BeforeAll
  void start() throws Exception {
    Browser.assumeGuestAndBrowser();
    Files.createDirectories(SCREENSHOTS);
    // Unique per run: QEMU's sockets live here, which is how this test knows its own QEMU.
    dir = Files.createTempDirectory("fastvm-console-browser-");
    harness = ProxyHarness.start(dir.resolve("proxy"), Map.of(), Clock.systemUTC());
    harness.cluster.user("alice-token", "alice");
    harness.cluster.grant("alice", ProxyHarness.NAMESPACE, "vm1");
    harness.vm("vm1", "127.0.0.1", true, "vm1");
    guest = QemuGuest.boot(harness.runtimeDir("vm1"), Files.createDirectories(dir.resolve("qemu")));
    browser = new Browser(dir.resolve("chromium-profile"));
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (guest != null) {
      guest.close();
    }
    if (harness != null) {
      harness.close();
    }
    if (dir != null) {
      try {
        TestGuests.deleteTree(dir);
      } catch (IOException e) {
        // leave it for the OS
      }
    }
  }

  JavascriptExecutor js() {
    return browser.driver;
  }

  void open(String protocol, boolean viewOnly) throws Exception {
    browser.driver.get(harness.link("alice-token", "vm1", protocol, viewOnly));
    browser
        .waiting(WAIT)
        .until(
            d ->
                Boolean.TRUE.equals(
                    js().executeScript(
                            "return !!(window.fastvmConsole && window.fastvmConsole.connected)")));
  }

  /** Reads a canvas' pixels in the page, as RGBA. */
  Screen canvas(String imageDataExpression) {
    @SuppressWarnings("unchecked")
    List<Object> result =
        (List<Object>)
            js().executeScript(
                    "const d = "
                        + imageDataExpression
                        + ";"
                        + "let s = ''; const a = d.data;"
                        + "for (let i = 0; i < a.length; i += 32768) {"
                        + "  s += String.fromCharCode.apply(null, a.subarray(i, i + 32768)); }"
                        + "return [d.width, d.height, btoa(s)];");
    return Screen.fromRgba(
        ((Number) result.get(0)).intValue(),
        ((Number) result.get(1)).intValue(),
        Base64.getDecoder().decode((String) result.get(2)));
  }

  /** Waits until the canvas shows what the guest's screen shows. */
  Screen awaitSameScreen(String imageDataExpression, String name) throws Exception {
    Screen expected = guest.screendump(dir.resolve(name + "-screendump.ppm"));
    expected.writePng(SCREENSHOTS.resolve(name + "-qemu-screendump.png"));
    assertThat(expected.litPixels()).as("the guest's banner is on its screen").isGreaterThan(500);
    long deadline = System.nanoTime() + WAIT.toNanos();
    Screen shown = null;
    double difference = 1;
    while (System.nanoTime() < deadline) {
      shown = canvas(imageDataExpression);
      difference = shown.differenceFrom(expected, 24);
      if (difference < 0.005) {
        break;
      }
      Thread.sleep(250);
    }
    shown.writePng(SCREENSHOTS.resolve(name + "-browser-canvas.png"));
    Files.write(
        SCREENSHOTS.resolve(name + "-browser-page.png"),
        browser.driver.getScreenshotAs(OutputType.BYTES));
    assertThat(difference).as("share of pixels differing from QEMU's screendump").isLessThan(0.005);
    return shown;
  }

  @Test
  void noVncShowsTheGuestScreen() throws Exception {
    open("vnc", false);
    Screen shown = awaitSameScreen("window.fastvmConsole.rfb.getImageData()", "vnc");
    assertThat(shown.width()).isEqualTo(720);
    assertThat(browser.driver.findElement(By.id("status")).getText()).isEqualTo("connected");
    assertThat(browser.driver.findElement(By.id("viewonly")).getAttribute("class"))
        .contains("hidden");
    harness.audit.await("open", "ok");
  }

  @Test
  void viewOnlyNoVncShowsTheScreenAndSaysSo() throws Exception {
    open("vnc", true);
    awaitSameScreen("window.fastvmConsole.rfb.getImageData()", "vnc-view-only");
    assertThat(browser.driver.findElement(By.id("viewonly")).isDisplayed()).isTrue();
    assertThat(browser.driver.findElement(By.id("cad")).isDisplayed()).isFalse();
  }

  @Test
  void spiceHtml5ShowsTheGuestScreenOverEveryChannel() throws Exception {
    open("spice", false);
    browser
        .waiting(WAIT)
        .until(d -> !d.findElements(By.cssSelector("#spice-screen canvas")).isEmpty());
    awaitSameScreen(
        "(() => { const c = document.querySelector('#spice-screen canvas');"
            + " return c.getContext('2d').getImageData(0, 0, c.width, c.height); })()",
        "spice");
    // every channel spice-html5 opened completed its link handshake through the proxy
    awaitSpiceChannelsReady();
    long spiceOpens =
        harness.audit.events("open").stream()
            .filter(l -> "spice".equals(l.getString("protocol")))
            .count();
    assertThat(spiceOpens).isGreaterThanOrEqualTo(4);
  }

  /**
   * Waits until the main, display, inputs and cursor channels are all past their link handshake;
   * failing, says where each one stands and what the page and the proxy saw.
   */
  void awaitSpiceChannelsReady() throws InterruptedException {
    String states =
        "const sc = window.fastvmConsole.sc;"
            + "return JSON.stringify({main: sc && sc.state,"
            + " display: sc && sc.display && sc.display.state,"
            + " inputs: sc && sc.inputs && sc.inputs.state,"
            + " cursor: sc && sc.cursor && sc.cursor.state});";
    String ready =
        "{\"main\":\"ready\",\"display\":\"ready\",\"inputs\":\"ready\",\"cursor\":\"ready\"}";
    long deadline = System.nanoTime() + WAIT.toNanos();
    String now = (String) js().executeScript(states);
    while (!ready.equals(now) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      now = (String) js().executeScript(states);
    }
    if (!ready.equals(now)) {
      throw new AssertionError(
          "SPICE channels not all ready: "
              + now
              + "; page errors: "
              + js().executeScript("return JSON.stringify(window.fastvmConsole.errors)")
              + "; spice-html5 says: "
              + js().executeScript(
                      "const m = document.getElementById('spice-messages');"
                          + " return m ? m.textContent : '(no message box)';")
              + "; proxy audit: "
              + harness.audit.lines().stream()
                  .filter(l -> "spice".equals(l.getString("protocol")))
                  .toList());
    }
  }

  @Test
  void textTypedInXtermReachesTheGuestAndItsAnswerComesBack() throws Exception {
    open("serial", false);
    WebElement input = browser.driver.findElement(By.cssSelector(".xterm-helper-textarea"));
    input.sendKeys("echo $((6*7))\n");
    String received = browser.awaitConsoleText(WAIT, "$((6*7))\n42");
    assertThat(received).as("what the guest sent back").contains("$((6*7))\n42");
    Files.write(
        SCREENSHOTS.resolve("serial-browser-page.png"),
        browser.driver.getScreenshotAs(OutputType.BYTES));
  }

  @Test
  @Order(1)
  void viewOnlyNoVncSendsNoKeysEvenWhenThePageIsMadeTo() throws Exception {
    String forbidden = "zqxviewonly"; // (lower case: see type())
    String marker = "zqxfullaccess";
    assertThat(vgaText("vga-before.bin")).doesNotContain("zqx");
    open("vnc", true);
    // The page sends no input in view-only mode; a user can switch that off in the browser's
    // developer tools. The proxy must drop the keys all the same.
    js().executeScript("window.fastvmConsole.rfb.viewOnly = false;");
    type("echo " + forbidden + "\n");
    // Leaving the page closes its WebSocket after those keys, so the proxy has them all before
    // the close; and QEMU drops a VNC client only after it acted on what the client sent before.
    browser.driver.get("about:blank");
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (guest.vncClients() > 0) {
      assertThat(System.nanoTime()).as("QEMU still has the view-only client").isLessThan(deadline);
      Thread.sleep(50);
    }
    // A full-access viewer types on the same keyboard, into the same shell: its keys queue behind
    // any key that got through. Once they are on the screen, so would the others be.
    open("vnc", false);
    type("echo " + marker + "\n");
    String text = awaitEchoed(marker, "vga-after.bin");
    assertThat(text).doesNotContain(forbidden);
    assertThat(text).doesNotContain("zqxv");
  }

  /**
   * Waits until the guest's text screen shows {@code typed} twice: the shell's echo of the command
   * line and, once the shell read the whole line (Enter included), the output of {@code echo}.
   */
  String awaitEchoed(String typed, String file) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String text = vgaText(file);
    while (occurrences(text, typed) < 2 && System.nanoTime() < deadline) {
      Thread.sleep(250);
      text = vgaText(file);
    }
    assertThat(occurrences(text, typed))
        .as("'%s' typed and echoed on the guest's text screen: %s", typed, text)
        .isGreaterThanOrEqualTo(2);
    return text;
  }

  /** The guest's text screen, each run of blanks (the rest of a row, empty rows) as " | ". */
  String vgaText(String file) throws Exception {
    return guest.vgaText(dir.resolve(file)).strip().replaceAll(" {2,}", " | ");
  }

  static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }

  @Test
  @Order(2)
  void keysTypedInNoVncReachTheGuest() throws Exception {
    open("vnc", false);
    long before = guest.screendump(dir.resolve("before-typing.ppm")).litPixels();
    // (lower case: Selenium types capitals without a Shift key press)
    type("echo typed in novnc\n");
    awaitEchoed("typed in novnc", "vga-typed.bin");
    long after = guest.screendump(dir.resolve("after-typing.ppm")).litPixels();
    assertThat(after)
        .as("the typed command and its output are on the guest's screen")
        .isGreaterThan(before + 400);
    awaitSameScreen("window.fastvmConsole.rfb.getImageData()", "vnc-typed");
  }

  /** Types into noVNC the way a user does: click the screen, press keys. */
  void type(String text) {
    WebElement screen = browser.driver.findElement(By.cssSelector("#screen canvas"));
    screen.click();
    new Actions(browser.driver).sendKeys(text).perform();
  }

  @Test
  @Order(Integer.MAX_VALUE) // stops the VM: runs last
  void thePageSaysWhenTheVmStopped() throws Exception {
    open("vnc", false);
    harness.cluster.stopVm(ProxyHarness.NAMESPACE, "vm1");
    browser
        .waiting(WAIT)
        .until(d -> "vm-stopped".equals(js().executeScript("return window.fastvmConsole.ended")));
    assertThat(browser.driver.findElement(By.id("notice")).getText())
        .contains("The virtual machine stopped.");
    assertThat(browser.driver.findElement(By.id("status")).getText()).isEqualTo("ended");
    Files.write(
        SCREENSHOTS.resolve("vnc-vm-stopped-page.png"),
        browser.driver.getScreenshotAs(OutputType.BYTES));
  }
}
