package io.fastvm.node.testing;

import io.fastvm.contract.RuntimeDir;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The shell of an {@link TestGuests#interactiveGuest()} on its serial console socket: a command
 * typed until its success marker comes back on the launcher's stdout (the serial mirror).
 */
public final class SerialShell implements AutoCloseable {
  private final LauncherProcess launcher;
  private final SocketChannel channel;
  private int commands;

  private SerialShell(LauncherProcess launcher, SocketChannel channel) {
    this.launcher = launcher;
    this.channel = channel;
  }

  /** Connects to the serial socket in {@code runtimeDir} of the guest {@code launcher} runs. */
  public static SerialShell connect(LauncherProcess launcher, Path runtimeDir) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(runtimeDir.resolve(RuntimeDir.SERIAL_SOCKET)));
    SerialShell shell = new SerialShell(launcher, channel);
    // Answers are read from the launcher's stdout; this copy is drained so the console hub never
    // drops the test as a viewer that stopped reading.
    Thread.ofVirtual().start(shell::drain);
    return shell;
  }

  /**
   * Types {@code command} (idempotent: it may be typed again, as a line typed while the shell
   * starts can be lost) until it succeeds. The marker is computed by the guest's shell, so the
   * echoed input never matches it.
   */
  public void run(String command, TestBudget budget) throws IOException, InterruptedException {
    int n = ++commands;
    String line = command + " && echo done-$((" + n + "*1000+7))\n";
    launcher.sendUntilLine(
        () -> channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8))),
        "done-" + (n * 1000 + 7),
        Duration.ofSeconds(20),
        budget.left(command));
  }

  /** The command that gives eth0 {@code cidr} as its one address (flushed first: idempotent). */
  public static String address(String cidr) {
    return "ip link set eth0 up; ip addr flush dev eth0; ip addr add " + cidr + " dev eth0";
  }

  private void drain() {
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    try {
      while (channel.read(buffer.clear()) >= 0) {
        // discarded
      }
    } catch (IOException e) {
      // closed
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
