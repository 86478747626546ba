package io.fastvm.node.launcher;

import static io.fastvm.node.launcher.GuestBootTest.BOOT;
import static io.fastvm.node.launcher.GuestBootTest.EXIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serial console hub (several viewers, input forwarded) and the shared VNC socket. */
class ConsoleTest {

  @TempDir Path tmp;

  @Test
  void serialConsoleServesSeveralViewersAndVncIsShared() throws Exception {
    var guest = TestGuests.interactiveGuest();
    TestVm vm =
        new TestVm(tmp)
            .volume("kernel", guest.kernel())
            .volume("initrd", guest.initrd())
            .manifest(
                """
                apiVersion: fastvm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: console}
                spec:
                  accelerator: tcg
                  memory: 256Mi
                  kernelBoot: {kernel: kernel, initrd: initrd, cmdline: console=ttyS0 quiet}
                  display: {type: vga, vnc: true}
                """);
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      Path serial = vm.runtimeDir().resolve(RuntimeFiles.SERIAL_SOCKET);
      try (SocketChannel first = connect(serial);
          SocketChannel second = connect(serial)) {
        // A late viewer first gets what the guest printed before it came.
        assertThat(readUntil(first, "FASTVM-GUEST ready")).contains("FASTVM-GUEST cpus=1");
        readUntil(second, "FASTVM-GUEST ready");
        first.write(ByteBuffer.wrap("echo sum-$((6*7))\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(readUntil(first, "sum-42")).contains("sum-42");
        assertThat(readUntil(second, "sum-42")).contains("sum-42");
        launcher.awaitLine("sum-42", BOOT);
      }

      Path vnc = vm.runtimeDir().resolve(RuntimeFiles.VNC_SOCKET);
      try (SocketChannel one = connect(vnc);
          SocketChannel two = connect(vnc)) {
        assertThat(readUntil(one, "\n")).startsWith("RFB 003.008");
        assertThat(readUntil(two, "\n")).startsWith("RFB 003.008");
      }

      launcher.awaitLine("power-button watching", BOOT);
      launcher.signal("TERM");
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
    }
  }

  private static SocketChannel connect(Path socket) throws Exception {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    return channel;
  }

  /** Reads until {@code marker} appears; a blocking read, bounded by a watchdog. */
  private static String readUntil(SocketChannel channel, String marker) throws Exception {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    Thread watchdog =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try {
                    Thread.sleep(Duration.ofMinutes(2));
                    channel.close();
                  } catch (Exception ignored) {
                    // done
                  }
                });
    try {
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      while (!seen.toString(StandardCharsets.UTF_8).contains(marker)) {
        buffer.clear();
        int n = channel.read(buffer);
        if (n < 0) {
          throw new AssertionError("closed before " + marker + "; got:\n" + seen);
        }
        seen.write(buffer.array(), 0, n);
      }
      return seen.toString(StandardCharsets.UTF_8);
    } finally {
      watchdog.interrupt();
    }
  }
}
