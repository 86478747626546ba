package io.fastvm.node.launcher;

import static io.fastvm.node.launcher.GuestBootTest.BOOT;
import static io.fastvm.node.launcher.GuestBootTest.EXIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.contract.console.ConsoleChannel;
import io.fastvm.contract.console.EndpointProtocol;
import io.fastvm.contract.console.TlsMaterial;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's console endpoint ({@code --console-tls}): the serial console through mutual TLS as
 * one more viewer of the serial hub (the stdout mirror keeps working), the readiness file, and
 * unusable TLS material refused before anything starts.
 */
class ConsoleEndpointLaunchTest {
  @TempDir Path tmp;

  final ConsoleCertificateAuthority ca =
      ConsoleCertificateAuthority.create("test CA", Duration.ofDays(1), Clock.systemUTC());

  static final String MANIFEST =
      """
      apiVersion: fastvm.io/v1alpha1
      kind: VirtualMachine
      metadata: {name: console, namespace: lab}
      spec:
        accelerator: tcg
        memory: 256Mi
        kernelBoot: {kernel: kernel, initrd: initrd, cmdline: console=ttyS0 quiet}
        display: {type: vga, vnc: true}
      """;

  @Test
  void theSerialConsoleAndVncAreServedOverMutualTlsAndReadinessFollowsQmp() throws Exception {
    var guest = TestGuests.interactiveGuest();
    Path tls = tmp.resolve("console-tls");
    ca.issueEndpoint("lab", "console", Duration.ofDays(1)).toTlsMaterial().writeTo(tls);
    // Port 0: the endpoint binds a port the kernel picks and the launcher logs it.
    TestVm vm =
        new TestVm(tmp)
            .volume("kernel", guest.kernel())
            .volume("initrd", guest.initrd())
            .console(tls, "127.0.0.1:0")
            .manifest(MANIFEST);
    TlsMaterial proxy = ca.issueProxyClient(Duration.ofDays(1)).toTlsMaterial();
    int port;
    try (LauncherProcess launcher = vm.start()) {
      port = launcher.awaitConsolePort(BOOT);
      launcher.awaitLine(TestGuests.READY, BOOT);
      assertThat(vm.runtimeDir().resolve(RuntimeDir.READY_FILE)).exists();
      try (SSLSocket first = open(proxy, port, ConsoleChannel.SERIAL);
          SSLSocket second = open(proxy, port, ConsoleChannel.SERIAL)) {
        // Each viewer first gets what the guest printed before it came (the hub's replay).
        readUntil(first.getInputStream(), TestGuests.READY);
        readUntil(second.getInputStream(), TestGuests.READY);
        // The stdout mirror (kubectl logs) shows the answer as well: wait on it, typing again if
        // the starting shell lost the line, then each viewer must have it too.
        launcher.sendUntilLine(
            () ->
                first
                    .getOutputStream()
                    .write("echo sum-$((6*7))\n".getBytes(StandardCharsets.UTF_8)),
            "sum-42",
            Duration.ofSeconds(20),
            BOOT);
        assertThat(readUntil(first.getInputStream(), "sum-42")).contains("sum-42");
        assertThat(readUntil(second.getInputStream(), "sum-42")).contains("sum-42");
      }
      try (SSLSocket vnc = open(proxy, port, ConsoleChannel.VNC)) {
        assertThat(readUntil(vnc.getInputStream(), "\n")).startsWith("RFB 003.008");
      }
      try (SSLSocket spice = connect(proxy, port)) {
        // This VM has no SPICE: the endpoint says so instead of opening anything.
        spice.getOutputStream().write(EndpointProtocol.request(ConsoleChannel.SPICE));
        assertThat(readUntil(spice.getInputStream(), "\n")).isEqualTo("ERR bad-request\n");
      }

      launcher.awaitLine("power-button watching", BOOT);
      launcher.signal("TERM");
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
      assertThat(vm.runtimeDir().resolve(RuntimeDir.READY_FILE)).doesNotExist();
    }
    // Stopped with the VM: nothing listens there any more.
    assertThatThrownBy(() -> connect(proxy, port).close())
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("Connection refused");
  }

  @Test
  void unusableTlsMaterialIsInvalidInputAndNothingStarts() throws Exception {
    var guest = TestGuests.kernelBootGuest();
    Path tls = Files.createDirectories(tmp.resolve("console-tls"));
    Files.writeString(tls.resolve(TlsMaterial.CERT_FILE), "not a certificate");
    Files.writeString(tls.resolve(TlsMaterial.KEY_FILE), "not a key");
    Files.writeString(tls.resolve(TlsMaterial.CA_FILE), "not a CA");
    TestVm vm =
        new TestVm(tmp)
            .volume("kernel", guest.kernel())
            .volume("initrd", guest.initrd())
            .console(tls, "127.0.0.1:0")
            .manifest(MANIFEST);
    try (LauncherProcess launcher = vm.start()) {
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.INVALID);
      assertThat(Files.readString(vm.terminationLog())).contains("--console-tls");
      assertThat(launcher.qemuPid()).isEmpty();
    }
  }

  private static SSLSocket connect(TlsMaterial client, int port) throws Exception {
    SSLSocket socket =
        (SSLSocket) client.sslContext().getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout((int) Duration.ofMinutes(2).toMillis());
    socket.startHandshake();
    return socket;
  }

  private static SSLSocket open(TlsMaterial client, int port, ConsoleChannel channel)
      throws Exception {
    SSLSocket socket = connect(client, port);
    socket.getOutputStream().write(EndpointProtocol.request(channel));
    assertThat(readUntil(socket.getInputStream(), "\n")).isEqualTo("OK\n");
    return socket;
  }

  /** Reads byte by byte until {@code marker} (the socket's read timeout bounds it). */
  private static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    while (!seen.toString(StandardCharsets.UTF_8).endsWith(marker)) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("closed before " + marker + "; got:\n" + seen);
      }
      seen.write(b);
    }
    return seen.toString(StandardCharsets.UTF_8);
  }
}
