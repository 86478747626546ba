package io.fastvm.node.testing;

import io.fastvm.contract.HostPortMode;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.launcher.HostTools;
import io.fastvm.node.launcher.Launcher;
import io.fastvm.node.manifest.ManifestValidator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VM for a test: its manifest, bound volumes and folders under one temporary folder, and the
 * launcher invocation that runs it.
 */
public final class TestVm {
  private final Path dir;
  private final Map<String, Path> volumes = new LinkedHashMap<>();
  private Path stateDir;
  private Path runtimeDir;
  private String manifest;
  private Path consoleTls;
  private String consoleListen;
  private final Map<String, String> env = new LinkedHashMap<>();

  public TestVm(Path dir) {
    this.dir = dir;
    this.stateDir = dir.resolve("state");
    this.runtimeDir = dir.resolve("run");
  }

  public TestVm manifest(String yaml) {
    this.manifest = yaml;
    return this;
  }

  public TestVm volume(String name, Path file) {
    volumes.put(name, file);
    return this;
  }

  /** Binds {@code guest}'s kernel and initramfs as the volumes kernel and initrd. */
  public TestVm kernelBoot(GuestImage guest) {
    return volume("kernel", guest.kernel()).volume("initrd", guest.initrd());
  }

  /** The manifest of a VirtualMachine {@code name} with {@code spec} (YAML, one field a line). */
  public static String vmManifest(String name, String spec) {
    return """
        apiVersion: fastvm.io/v1alpha1
        kind: VirtualMachine
        metadata: {name: %s}
        spec:
        %s"""
        .formatted(name, spec.indent(2));
  }

  /**
   * The manifest of a VirtualMachine {@code name} under TCG with {@code memory} that boots the
   * volumes kernel and initrd (see {@link #kernelBoot}) with the kernel command line {@code
   * cmdline} (none given when null); {@code moreSpec}, one field a line, completes its spec (its
   * display, for one).
   */
  public static String kernelBootVm(String name, String memory, String cmdline, String moreSpec) {
    String boot = cmdline == null ? "" : ", cmdline: " + cmdline;
    return vmManifest(
        name,
        """
        accelerator: tcg
        memory: %s
        kernelBoot: {kernel: kernel, initrd: initrd%s}
        %s"""
            .formatted(memory, boot, moreSpec));
  }

  public TestVm stateDir(Path stateDir) {
    this.stateDir = stateDir;
    return this;
  }

  public TestVm runtimeDir(Path runtimeDir) {
    this.runtimeDir = runtimeDir;
    return this;
  }

  /** Serves the console endpoint with the TLS material in {@code dir} on {@code hostPort}. */
  public TestVm console(Path dir, String hostPort) {
    this.consoleTls = dir;
    this.consoleListen = hostPort;
    return this;
  }

  public TestVm env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public Path stateDir() {
    return stateDir;
  }

  public Path runtimeDir() {
    return runtimeDir;
  }

  public Path terminationLog() {
    return dir.resolve("termination-log");
  }

  public LauncherInvocation invocation() throws IOException {
    Path file = dir.resolve("vm.yaml");
    Files.writeString(file, manifest);
    return new LauncherInvocation(
        List.of(file),
        volumes,
        null,
        stateDir,
        runtimeDir,
        "127.0.0.1",
        consoleTls,
        terminationLog(),
        HostPortMode.SERVICE,
        consoleListen);
  }

  /**
   * The invocation a VM pod's launcher gets: forwarded ports on every address of the pod, the
   * guest's ports as the pod's (and bridge NICs waiting for their taps), nat on {@code backend}.
   */
  public LauncherInvocation podInvocation(io.fastvm.contract.NatBackend backend)
      throws IOException {
    LauncherInvocation local = invocation();
    return new LauncherInvocation(
        local.manifests(),
        local.volumes(),
        local.cloudInitSeed(),
        local.stateDir(),
        local.runtimeDir(),
        "0.0.0.0",
        local.consoleTlsDir(),
        local.terminationLog(),
        HostPortMode.GUEST,
        local.consoleListen(),
        backend);
  }

  /** Starts the launcher for this VM in its own JVM. */
  public LauncherProcess start() throws IOException {
    return LauncherProcess.start(invocation().toArgs(), runtimeDir, env);
  }

  /**
   * The launcher for this VM in this JVM, for a test that needs the {@link Launcher} itself (to
   * call {@link Launcher#requestStop()}, or to run it on a thread of its own): no manifest
   * validation, the serial console discarded, the launcher's log written to {@code log}. The
   * environment set with {@link #env} does not apply.
   */
  public Launcher inProcess(OutputStream log) throws IOException {
    return new Launcher(
        invocation(),
        new Launcher.Settings(
            ManifestValidator.NONE,
            false,
            null,
            OutputStream.nullOutputStream(),
            null,
            new PrintStream(log, true, StandardCharsets.UTF_8)),
        HostTools.fromEnvironment());
  }

  /** A raw image of {@code bytes} (sparse). */
  public Path rawImage(String name, long bytes) throws IOException {
    Path file = dir.resolve(name);
    try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(bytes);
    }
    return file;
  }

  /** A qcow2 image of virtual size {@code bytes} (qemu-img). */
  public Path qcow2Image(String name, long bytes) throws IOException {
    Path file = dir.resolve(name);
    Commands.run(
        dir,
        List.of("qemu-img", "create", "-q", "-f", "qcow2", file.toString(), String.valueOf(bytes)));
    return file;
  }
}
