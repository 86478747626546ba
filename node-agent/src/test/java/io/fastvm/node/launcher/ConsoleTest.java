package io.fastvm.node.launcher;

import static io.fastvm.node.launcher.GuestBootTest.BOOT;
import static io.fastvm.node.launcher.GuestBootTest.EXIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.RuntimeDir;
import io.fastvm.node.qemu.QmpClient;
import io.fastvm.node.testing.ChunkStream;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.RfbClient;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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

/**
 * The serial console hub (several viewers, input forwarded) and the shared VNC socket (several
 * viewers get the screen at once; none can take it for itself).
 */
class ConsoleTest {

  @TempDir Path tmp;

  @Test
  void serialConsoleServesSeveralViewersAndVncIsShared() throws Exception {
    var guest = TestGuests.interactiveGuest();
    TestVm vm =
        new TestVm(tmp)
            .kernelBoot(guest)
            .manifest(
                TestVm.kernelBootVm(
                    "console", "256Mi", "console=ttyS0 quiet", "display: {type: vga, vnc: true}"));
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      Path serial = vm.runtimeDir().resolve(RuntimeDir.SERIAL_SOCKET);
      try (SocketChannel first = connect(serial);
          SocketChannel second = connect(serial)) {
        // A late viewer first gets what the guest printed before it came.
        assertThat(readUntil(first, "FASTVM-GUEST ready")).contains("FASTVM-GUEST cpus=1");
        readUntil(second, "FASTVM-GUEST ready");
        // The stdout mirror (kubectl logs) shows the answer as well: wait on it, typing again if
        // the starting shell lost the line, then each viewer must have it too.
        launcher.sendUntilLine(
            () ->
                first.write(
                    ByteBuffer.wrap("echo sum-$((6*7))\n".getBytes(StandardCharsets.UTF_8))),
            "sum-42",
            Duration.ofSeconds(20),
            BOOT);
        assertThat(readUntil(first, "sum-42")).contains("sum-42");
        assertThat(readUntil(second, "sum-42")).contains("sum-42");
      }

      // QEMU greets every VNC client the same way; sharing is decided at ClientInit. Two viewers
      // asking for a shared session both stay and both get the screen.
      Path vnc = vm.runtimeDir().resolve(RuntimeDir.VNC_SOCKET);
      try (Viewer one = new Viewer("first viewer", vnc);
          Viewer two = new Viewer("second viewer", vnc)) {
        assertThat(one.handshake(true)).isTrue();
        assertThat(two.handshake(true)).isTrue();
        assertThat(one.requestAndReadUpdate()).isPositive();
        assertThat(two.requestAndReadUpdate()).isPositive();
        assertThat(one.requestAndReadUpdate()).isPositive();
        // A client asking for exclusive access (shared flag 0) would make QEMU's default policy
        // drop both; the launcher runs VNC force-shared, so QEMU drops that client instead.
        try (Viewer exclusive = new Viewer("exclusive viewer", vnc)) {
          assertThat(exclusive.handshake(false))
              .as("QEMU answers a client asking for exclusive access")
              .isFalse();
        }
        assertThat(one.requestAndReadUpdate()).isPositive();
        assertThat(two.requestAndReadUpdate()).isPositive();
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
            .kernelBoot(guest)
            .manifest(
                TestVm.kernelBootVm(
                    "banner", "256Mi", "console=ttyS0 quiet", "display: {type: qxl}"));
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine("FASTVM-GUEST banner shown", BOOT);
      Path ppm = tmp.resolve("screen.ppm");
      try (QmpClient qmp =
          QmpClient.connect(
              vm.runtimeDir().resolve(RuntimeDir.QMP_SOCKET), Duration.ofSeconds(30), () -> true)) {
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

  /**
   * A minimal VNC viewer on QEMU's VNC socket, enough to tell a viewer that keeps its session from
   * one QEMU dropped: {@link RfbClient} over the unix socket.
   */
  static final class Viewer implements AutoCloseable {
    private static final Duration WAIT = Duration.ofMinutes(2);

    private final SocketChannel channel;
    private final ChunkStream received = new ChunkStream();
    private final RfbClient rfb;

    Viewer(String name, Path socket) throws Exception {
      this.channel = connect(socket);
      this.rfb = new RfbClient(name, this::send, received);
      Thread.ofVirtual().start(this::receive);
    }

    private void receive() {
      ByteBuffer buffer = ByteBuffer.allocate(65536);
      try {
        while (channel.read(buffer) >= 0) {
          buffer.flip();
          received.add(buffer);
          buffer.clear();
        }
        received.end("QEMU closed the connection");
      } catch (IOException e) {
        received.end(e.toString());
      }
    }

    /**
     * The handshake up to the ServerInit; false when QEMU closed the connection on reading the
     * ClientInit instead.
     */
    boolean handshake(boolean shared) {
      return rfb.handshake(shared, WAIT);
    }

    /** Asks for the whole screen; reads up to the end of the next FramebufferUpdate. */
    int requestAndReadUpdate() {
      return rfb.requestAndReadUpdate(WAIT);
    }

    private void send(byte[] bytes) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }

    @Override
    public void close() throws Exception {
      channel.close();
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
