package io.fastvm.node.launcher;

import static io.fastvm.node.launcher.GuestBootTest.BOOT;
import static io.fastvm.node.launcher.GuestBootTest.EXIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fastvm.node.qemu.QmpClient;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
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

  @Test
  void bannerGuestShowsLargeTextOnItsScreen() throws Exception {
    var guest = TestGuests.bannerGuest("FASTVM");
    TestVm vm =
        new TestVm(tmp)
            .volume("kernel", guest.kernel())
            .volume("initrd", guest.initrd())
            .manifest(
                """
                apiVersion: fastvm.io/v1alpha1
                kind: VirtualMachine
                metadata: {name: banner}
                spec:
                  accelerator: tcg
                  memory: 256Mi
                  kernelBoot: {kernel: kernel, initrd: initrd, cmdline: console=ttyS0 quiet}
                  display: {type: qxl}
                """);
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine("FASTVM-GUEST banner shown", BOOT);
      Path ppm = tmp.resolve("screen.ppm");
      try (QmpClient qmp =
          QmpClient.connect(
              vm.runtimeDir().resolve(RuntimeFiles.QMP_SOCKET),
              Duration.ofSeconds(30),
              () -> true)) {
        qmp.execute(
            "screendump",
            new ObjectMapper().createObjectNode().put("filename", ppm.toString()),
            Duration.ofSeconds(30));
      }
      BufferedImage screen = readPpm(ppm);
      ImageIO.write(screen, "png", tmp.resolve("screen.png").toFile());
      if (System.getenv("FASTVM_KEEP_SCREENSHOT") != null) {
        java.nio.file.Files.copy(
            tmp.resolve("screen.png"),
            Path.of(System.getenv("FASTVM_KEEP_SCREENSHOT")),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      // Solid block letters in the top rows (a fifth of the screen is plenty), nothing below.
      int w = screen.getWidth();
      int h = screen.getHeight();
      long top = 0;
      long bottom = 0;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int rgb = screen.getRGB(x, y);
          if (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff) > 300) {
            if (y < h / 3) {
              top++;
            } else {
              bottom++;
            }
          }
        }
      }
      assertThat((double) top / (w * h / 3)).as("lit share of the top third").isBetween(0.15, 0.8);
      assertThat(bottom).as("lit pixels below the banner").isZero();
      launcher.awaitLine("power-button watching", BOOT);
      launcher.signal("TERM");
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
    }
  }

  /** QEMU's screendump: binary PPM (P6, maxval 255). */
  private static BufferedImage readPpm(Path file) throws Exception {
    byte[] data = java.nio.file.Files.readAllBytes(file);
    int[] header = new int[3];
    int pos = 2;
    for (int i = 0; i < 3; i++) {
      while (Character.isWhitespace(data[pos])) {
        pos++;
      }
      int value = 0;
      while (!Character.isWhitespace(data[pos])) {
        value = value * 10 + (data[pos++] - '0');
      }
      header[i] = value;
    }
    pos++;
    assertThat(new String(data, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("P6");
    BufferedImage image = new BufferedImage(header[0], header[1], BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < header[1]; y++) {
      for (int x = 0; x < header[0]; x++) {
        int r = data[pos++] & 0xff;
        int g = data[pos++] & 0xff;
        int b = data[pos++] & 0xff;
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
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
