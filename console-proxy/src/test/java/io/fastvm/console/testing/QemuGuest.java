package io.fastvm.console.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * A real QEMU guest (TCG) serving VNC, SPICE and its serial line on unix sockets in a runtime dir,
 * the way the launcher runs VMs: a Debian kernel and a busybox initramfs that writes a banner on
 * its VGA text screen and runs a shell there (keyboard) and one on ttyS0. Each guest has its own
 * runtime dir, so only its own process is ever stopped.
 */
public final class QemuGuest implements AutoCloseable {
  public static final String READY = "FASTVM GUEST READY";
  public static final String BANNER = "FASTVM CONSOLE TEST GUEST";

  private final Path runtimeDir;
  private final Process process;
  private final Thread reaper;

  private QemuGuest(Path runtimeDir, Process process) {
    this.runtimeDir = runtimeDir;
    this.process = process;
    this.reaper = new Thread(process::destroyForcibly, "qemu-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Boots the guest and waits until its shell is up (a few seconds under TCG). */
  public static QemuGuest boot(Path runtimeDir, Path workDir) throws Exception {
    Files.createDirectories(runtimeDir);
    Path initrd = workDir.resolve("initrd.gz");
    writeInitramfs(initrd);
    List<String> command =
        List.of(
            "qemu-system-x86_64",
            "-accel",
            "tcg",
            "-m",
            "256",
            "-nodefaults",
            "-no-user-config",
            "-vga",
            "std",
            "-display",
            "none",
            "-no-reboot",
            "-kernel",
            kernel().toString(),
            "-initrd",
            initrd.toString(),
            "-append",
            "console=tty0 console=ttyS0 quiet panic=-1",
            "-vnc",
            "unix:" + runtimeDir.resolve("vnc.sock"),
            "-spice",
            "unix=on,addr=" + runtimeDir.resolve("spice.sock") + ",disable-ticketing=on",
            "-qmp",
            "unix:" + runtimeDir.resolve("qmp.sock") + ",server=on,wait=off",
            "-chardev",
            "socket,id=serial0,path=" + runtimeDir.resolve("serial.sock") + ",server=on,wait=off",
            "-serial",
            "chardev:serial0");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(workDir.resolve("qemu.log").toFile())
            .start();
    QemuGuest guest = new QemuGuest(runtimeDir, process);
    try {
      guest.awaitReady(Duration.ofSeconds(120));
    } catch (Exception e) {
      guest.close();
      throw new IllegalStateException(
          "the test guest did not boot: " + Files.readString(workDir.resolve("qemu.log")), e);
    }
    return guest;
  }

  /** Reads the serial line until the guest says it is ready, then lets go of it. */
  private void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Path serial = runtimeDir.resolve("serial.sock");
    while (!Files.exists(serial)) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new IOException("QEMU did not create " + serial);
      }
      Thread.sleep(50);
    }
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(serial))) {
      channel.configureBlocking(false);
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      while (!seen.toString(StandardCharsets.ISO_8859_1).contains(READY)) {
        if (System.nanoTime() > deadline || !process.isAlive()) {
          throw new IOException("no " + READY + " on the serial line; saw: " + seen);
        }
        int n = channel.read(buffer);
        if (n < 0) {
          throw new IOException("serial line closed");
        }
        if (n == 0) {
          Thread.sleep(50);
          continue;
        }
        seen.write(buffer.array(), 0, n);
        buffer.clear();
      }
    }
  }

  /** The guest's screen now, from QMP screendump, as packed RGB. */
  public Screen screendump(Path file) throws IOException {
    qmp("screendump", "{\"filename\":\"" + file + "\"}");
    return Screen.fromPpm(Files.readAllBytes(file));
  }

  /**
   * The characters in the guest's VGA text memory now (the screen shows 720x400 text mode; Linux'
   * vgacon scrolls within the whole 32 KiB window, so this is the screen and what scrolled by),
   * read with QMP pmemsave into {@code file}; attribute bytes left out, NULs as spaces.
   */
  public String vgaText(Path file) throws IOException {
    qmp("pmemsave", "{\"val\":" + 0xb8000 + ",\"size\":32768,\"filename\":\"" + file + "\"}");
    byte[] memory = Files.readAllBytes(file);
    StringBuilder text = new StringBuilder(memory.length / 2);
    for (int i = 0; i < memory.length; i += 2) {
      int c = memory[i] & 0xff;
      text.append(c < 0x20 || c > 0x7e ? ' ' : (char) c);
    }
    return text.toString();
  }

  /** How many VNC clients QEMU has now (QMP query-vnc). */
  public int vncClients() throws IOException {
    JsonObject reply = new JsonObject(qmp("query-vnc", null)).getJsonObject("return");
    return reply.getJsonArray("clients", new JsonArray()).size();
  }

  /** One QMP command on a fresh connection; returns its "return" line. */
  private String qmp(String command, String arguments) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(runtimeDir.resolve("qmp.sock")));
      InputStream in = Channels.newInputStream(channel);
      OutputStream out = Channels.newOutputStream(channel);
      readJsonLine(in); // greeting
      out.write("{\"execute\":\"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII));
      readReturn(in);
      out.write(
          ("{\"execute\":\""
                  + command
                  + "\""
                  + (arguments == null ? "" : ",\"arguments\":" + arguments)
                  + "}\n")
              .getBytes(StandardCharsets.UTF_8));
      return readReturn(in);
    }
  }

  private static String readReturn(InputStream in) throws IOException {
    while (true) {
      String line = readJsonLine(in);
      if (line.isEmpty()) {
        throw new IOException("QMP closed");
      }
      if (line.contains("\"return\"")) {
        return line;
      }
      if (line.contains("\"error\"")) {
        throw new IOException("QMP: " + line);
      }
    }
  }

  private static String readJsonLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.write(b);
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException e) {
      // shutting down already
    }
  }

  /** Whether this machine can run the guest (QEMU and a Debian kernel). */
  public static String missingPrerequisite() {
    if (!Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"))) {
      return "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)";
    }
    try {
      kernel();
    } catch (IOException e) {
      return e.getMessage();
    }
    if (!Files.isExecutable(Path.of("/bin/busybox"))) {
      return "busybox is not installed (Debian package busybox-static)";
    }
    return null;
  }

  static Path kernel() throws IOException {
    List<Path> kernels = new ArrayList<>();
    try (DirectoryStream<Path> boot = Files.newDirectoryStream(Path.of("/boot"), "vmlinuz-*")) {
      boot.forEach(kernels::add);
    }
    // the cloud kernel boots fastest under TCG; any Debian amd64 kernel has serial and VGA text
    return kernels.stream()
        .filter(Files::isReadable)
        .sorted(
            (a, b) ->
                Boolean.compare(b.toString().contains("cloud"), a.toString().contains("cloud")))
        .findFirst()
        .orElseThrow(
            () ->
                new IOException(
                    "no readable /boot/vmlinuz-* (Debian package linux-image-cloud-amd64)"));
  }

  static final String INIT =
      """
      #!/bin/busybox sh
      /bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
      /bin/busybox --install -s
      mount -t proc proc /proc
      mount -t sysfs sys /sys
      mount -t devtmpfs dev /dev
      printf '\\033[2J\\033[H\\033[?25l' > /dev/tty0
      printf '\\n\\n   %s\\n\\n   screen: VGA text   serial: ttyS0\\n' > /dev/tty0
      setsid sh -c 'exec sh </dev/tty1 >/dev/tty1 2>&1' &
      echo "%s" > /dev/ttyS0
      exec setsid sh -c 'exec sh -i </dev/ttyS0 >/dev/ttyS0 2>&1'
      """
          .formatted(BANNER, READY);

  /** A gzip'd newc cpio with busybox and {@link #INIT}. */
  static void writeInitramfs(Path file) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      Cpio cpio = new Cpio(out);
      for (String dir : List.of("bin", "dev", "proc", "sys", "tmp")) {
        cpio.directory(dir);
      }
      cpio.file("bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0755);
      cpio.file("init", INIT.getBytes(StandardCharsets.US_ASCII), 0755);
      cpio.end();
    }
  }

  /** The "newc" cpio format the kernel unpacks as initramfs. */
  static final class Cpio {
    private final OutputStream out;
    private int inode = 1;
    private long written;

    Cpio(OutputStream out) {
      this.out = out;
    }

    void directory(String name) throws IOException {
      entry(name, 0040755, new byte[0]);
    }

    void file(String name, byte[] data, int mode) throws IOException {
      entry(name, 0100000 | mode, data);
    }

    void end() throws IOException {
      entry("TRAILER!!!", 0, new byte[0]);
    }

    private void entry(String name, int mode, byte[] data) throws IOException {
      byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.US_ASCII);
      String header =
          "070701"
              + hex(inode++)
              + hex(mode)
              + hex(0)
              + hex(0)
              + hex(mode == 0 ? 1 : ((mode & 0040000) != 0 ? 2 : 1))
              + hex(0)
              + hex(data.length)
              + hex(0)
              + hex(0)
              + hex(0)
              + hex(0)
              + hex(nameBytes.length)
              + hex(0);
      write(header.getBytes(StandardCharsets.US_ASCII));
      write(nameBytes);
      pad();
      write(data);
      pad();
    }

    private void write(byte[] bytes) throws IOException {
      out.write(bytes);
      written += bytes.length;
    }

    private void pad() throws IOException {
      while (written % 4 != 0) {
        write(new byte[1]);
      }
    }

    private static String hex(int value) {
      return String.format("%08x", value);
    }
  }
}
