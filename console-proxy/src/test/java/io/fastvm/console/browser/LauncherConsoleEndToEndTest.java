package io.fastvm.console.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fastvm.console.testing.Browser;
import io.fastvm.console.testing.ProxyHarness;
import io.fastvm.console.testing.Screen;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.contract.console.ConsoleChannel;
import io.fastvm.contract.console.ConsoleIdentities;
import io.fastvm.contract.console.EndpointProtocol;
import io.fastvm.contract.console.TlsMaterial;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.node.qemu.QmpClient;
import io.fastvm.node.testing.EndpointProbe;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

/**
 * End to end as deployed, less Kubernetes itself: the real launcher (its own JVM) boots a test
 * guest with {@code --console-tls} and {@code --console-listen} on the VM's "pod IP", with the
 * endpoint certificate the operator's CA code issues; the proxy holds its client certificate from
 * the same CA; the fabric8 mock API server stands in for Kubernetes; Debian's headless Chromium
 * runs the real xterm.js and noVNC pages. What is typed in xterm.js crosses the proxy, the mutual
 * TLS hop and the launcher's serial hub to the guest's shell, and the answer comes back; noVNC
 * shows the guest's screen; and the launcher's endpoint refuses every client but the proxy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LauncherConsoleEndToEndTest {
  static final Duration BOOT = Duration.ofMinutes(4);
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  Path dir;
  ProxyHarness harness;
  Browser browser;

  @BeforeAll
  void start() throws Exception {
    Browser.assumeGuestAndBrowser();
    Files.createDirectories(SCREENSHOTS);
    dir = Files.createTempDirectory("fastvm-console-e2e-");
    harness = ProxyHarness.start(dir.resolve("proxy"));
    harness.cluster.user("alice-token", "alice");
    browser = new Browser(dir.resolve("chromium-profile"));
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
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

  /**
   * Boots {@code guest} as VM {@code name} with its console endpoint on {@code podIp} and the
   * proxy's endpoint port, and registers it in the mock cluster as running there.
   */
  LauncherProcess boot(String name, String podIp, io.fastvm.node.guest.GuestImage guest)
      throws Exception {
    Path vmDir = Files.createDirectories(dir.resolve(name));
    Path tls = vmDir.resolve("console-tls");
    // What the operator puts in the VM's <vm>-console-tls Secret.
    harness
        .pki
        .ca
        .issueEndpoint(ProxyHarness.NAMESPACE, name, Duration.ofDays(30))
        .toTlsMaterial()
        .writeTo(tls);
    TestVm vm =
        new TestVm(vmDir)
            .volume("kernel", guest.kernel())
            .volume("initrd", guest.initrd())
            .console(tls, podIp + ":" + harness.endpointPort)
            .manifest(
                """
                apiVersion: fastvm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: %s, namespace: %s}
                spec:
                  accelerator: tcg
                  memory: 256Mi
                  kernelBoot: {kernel: kernel, initrd: initrd, cmdline: console=ttyS0 quiet}
                  display: {type: vga, vnc: true}
                """
                    .formatted(name, ProxyHarness.NAMESPACE));
    LauncherProcess launcher = vm.start();
    launcher.awaitLine("console endpoint", BOOT);
    harness.cluster.runningVm(ProxyHarness.NAMESPACE, name, podIp, false);
    harness.cluster.grant("alice", ProxyHarness.NAMESPACE, name);
    return launcher;
  }

  JavascriptExecutor js() {
    return browser.driver;
  }

  void open(String vm, String protocol) throws Exception {
    browser.driver.get(harness.link("alice-token", vm, protocol, false));
    browser
        .waiting(WAIT)
        .until(
            d ->
                Boolean.TRUE.equals(
                    js().executeScript(
                            "return !!(window.fastvmConsole && window.fastvmConsole.connected)")));
  }

  @Test
  void textTypedInXtermReachesTheGuestShellThroughTheLauncherAndTheAnswerComesBack()
      throws Exception {
    try (LauncherProcess launcher = boot("shell", "127.0.0.1", TestGuests.interactiveGuest())) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      open("shell", "serial");
      WebElement input = browser.driver.findElement(By.cssSelector(".xterm-helper-textarea"));
      String received =
          browser.typeUntilReceived(
              input, "echo e2e-$((6*7))\n", "\ne2e-42", Duration.ofSeconds(15), WAIT);
      assertThat(received).as("what the guest sent back").contains("$((6*7))\ne2e-42");
      // The serial hub mirrors the same line to the launcher's stdout (kubectl logs).
      launcher.awaitLine("e2e-42", WAIT);
      Files.write(
          SCREENSHOTS.resolve("e2e-serial-browser-page.png"),
          browser.driver.getScreenshotAs(OutputType.BYTES));

      refusesEveryoneButTheProxy(launcher, "shell", "127.0.0.1", harness.endpointPort);

      launcher.awaitLine("power-button watching", BOOT);
      launcher.signal("TERM");
      assertThat(launcher.awaitExit(BOOT)).isZero();
    }
  }

  /**
   * The launcher's endpoint, reached directly as anyone on the pod network could. The proxy's
   * certificate opens the serial console (the control); then each of these is refused, and refused
   * as such, never by a client giving up: no client certificate (the endpoint's TLS alert
   * certificate_required), the VM's own serving certificate (same CA, no clientAuth:
   * certificate_unknown), the proxy's identity from a CA it does not trust (certificate_unknown),
   * and a client certificate of the console CA for another identity (the TLS handshake succeeds;
   * the endpoint then closes the connection without answering the request, and says so in the
   * launcher's log). A refusal must be the endpoint's doing: a client left waiting, or answered,
   * fails the test. The proxy's certificate still works afterwards.
   */
  void refusesEveryoneButTheProxy(LauncherProcess launcher, String vm, String podIp, int port)
      throws Exception {
    InetSocketAddress endpoint = new InetSocketAddress(podIp, port);
    TlsMaterial proxy = TlsMaterial.fromDirectory(harness.pki.backendTlsDir);
    typeThroughEndpoint(proxy, endpoint, "echo before-$((6*7))\n", "before-42");
    launcher.awaitLine("before-42", WAIT);

    assertThat(refusal(EndpointProbe.withoutCertificate(harness.pki.ca.certificate()), endpoint))
        .isEqualTo("alert certificate_required");

    TlsMaterial vmItself =
        harness
            .pki
            .ca
            .issueEndpoint(ProxyHarness.NAMESPACE, vm, Duration.ofDays(1))
            .toTlsMaterial();
    assertThat(refusal(EndpointProbe.presenting(vmItself), endpoint))
        .isEqualTo("alert certificate_unknown");

    ConsoleCertificateAuthority other =
        ConsoleCertificateAuthority.create(
            "not the console CA", Duration.ofDays(1), Clock.systemUTC());
    var foreign = other.issueProxyClient(Duration.ofDays(1));
    assertThat(
            refusal(
                EndpointProbe.presenting(
                    new TlsMaterial(
                        foreign.certificatePem(),
                        foreign.privateKeyPem(),
                        harness.pki.ca.certificatePem())),
                endpoint))
        .isEqualTo("alert certificate_unknown");

    TlsMaterial anotherClient =
        EndpointProbe.clientCertificate(
            harness.pki.ca, ConsoleIdentities.endpoint(ProxyHarness.NAMESPACE, vm));
    // (closed without reading the request: the kernel may turn that close into a reset)
    assertThat(refusal(EndpointProbe.presenting(anotherClient), endpoint)).isIn("closed", "reset");
    launcher.awaitLine("refused a client without the proxy's identity", WAIT);

    typeThroughEndpoint(proxy, endpoint, "echo after-$((6*7))\n", "after-42");
    launcher.awaitLine("after-42", WAIT);
  }

  /** What the endpoint did to a client of {@code context} asking for the serial console. */
  static String refusal(SSLContext context, InetSocketAddress endpoint) throws IOException {
    return EndpointProbe.refusal(
        context, endpoint, EndpointProtocol.request(ConsoleChannel.SERIAL));
  }

  /**
   * Opens the serial console as the proxy does, types {@code command} and reads what the guest
   * sends back (after the hub's replay of earlier output) until {@code answer}.
   */
  static void typeThroughEndpoint(
      TlsMaterial proxy, InetSocketAddress endpoint, String command, String answer)
      throws Exception {
    try (SSLSocket socket = EndpointProbe.connect(EndpointProbe.presenting(proxy), endpoint)) {
      socket.startHandshake();
      socket.getOutputStream().write(EndpointProtocol.request(ConsoleChannel.SERIAL));
      InputStream in = socket.getInputStream();
      assertThat(readLine(in)).isEqualTo("OK");
      socket.getOutputStream().write(command.getBytes(StandardCharsets.US_ASCII));
      StringBuilder seen = new StringBuilder();
      while (seen.indexOf(answer) < 0) {
        int b = in.read();
        if (b < 0) {
          throw new AssertionError("the serial console closed before " + answer + ": " + seen);
        }
        seen.append((char) b);
      }
    }
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.append((char) b);
    }
    if (b < 0) {
      throw new IOException("closed after '" + line + "'");
    }
    return line.toString();
  }

  @Test
  void noVncShowsTheGuestScreenThroughTheLaunchersEndpoint() throws Exception {
    try (LauncherProcess launcher = boot("banner", "127.0.0.2", TestGuests.bannerGuest("FASTVM"))) {
      launcher.awaitLine("FASTVM-GUEST banner shown", BOOT);
      Path runtime = dir.resolve("banner").resolve("run");
      Screen expected = screendump(runtime, dir.resolve("banner-screendump.ppm"));
      expected.writePng(SCREENSHOTS.resolve("e2e-vnc-qemu-screendump.png"));
      assertThat(expected.litPixels()).as("the guest's banner is on its screen").isGreaterThan(500);

      open("banner", "vnc");
      long deadline = System.nanoTime() + WAIT.toNanos();
      Screen shown = null;
      double difference = 1;
      while (System.nanoTime() < deadline) {
        shown = canvas();
        difference = shown.differenceFrom(expected, 24);
        if (difference < 0.005) {
          break;
        }
        Thread.sleep(250);
      }
      shown.writePng(SCREENSHOTS.resolve("e2e-vnc-browser-canvas.png"));
      assertThat(difference)
          .as("share of pixels differing from QEMU's screendump")
          .isLessThan(0.005);

      launcher.signal("TERM");
      assertThat(launcher.awaitExit(BOOT)).isZero();
      assertThat(runtime.resolve(RuntimeDir.READY_FILE)).doesNotExist();
    }
  }

  Screen canvas() {
    @SuppressWarnings("unchecked")
    List<Object> result =
        (List<Object>)
            js().executeScript(
                    "const d = window.fastvmConsole.rfb.getImageData();"
                        + "let s = ''; const a = d.data;"
                        + "for (let i = 0; i < a.length; i += 32768) {"
                        + "  s += String.fromCharCode.apply(null, a.subarray(i, i + 32768)); }"
                        + "return [d.width, d.height, btoa(s)];");
    return Screen.fromRgba(
        ((Number) result.get(0)).intValue(),
        ((Number) result.get(1)).intValue(),
        Base64.getDecoder().decode((String) result.get(2)));
  }

  static Screen screendump(Path runtime, Path file) throws Exception {
    try (QmpClient qmp =
        QmpClient.connect(runtime.resolve(RuntimeDir.QMP_SOCKET), WAIT, () -> true)) {
      qmp.execute(
          "screendump",
          new ObjectMapper().createObjectNode().put("filename", file.toString()),
          WAIT);
    }
    return Screen.fromPpm(Files.readAllBytes(file));
  }
}
