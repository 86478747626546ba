package io.fastvm.node.testing;

import io.fastvm.node.launcher.LauncherInvocation;
import io.fastvm.node.network.HostPortMode;
import java.io.IOException;
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

  /** Starts the launcher for this VM in its own JVM. */
  public LauncherProcess start() throws IOException {
    return LauncherProcess.start(invocation().toArgs(), runtimeDir, env);
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
