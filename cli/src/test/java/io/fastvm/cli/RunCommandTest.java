package io.fastvm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.node.guest.DemoGuest;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.manifest.ManifestReader;
import io.fastvm.node.manifest.ManifestValidator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {

  @TempDir Path tmp;

  private record Result(int code, String out, String err) {}

  private static synchronized Result fastvm(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = new CommandLine(new FastvmCommand()).execute(args);
      return new Result(
          code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void printQemuCommandPrintsOneArgumentPerLineAndStartsNothing() throws Exception {
    Path iso = Files.write(tmp.resolve("debian,12.iso"), new byte[2048]);
    Path vm = tmp.resolve("vm.yaml");
    Files.writeString(
        vm,
        """
        apiVersion: fastvm.io/v1alpha1
        kind: VirtualMachine
        metadata: {name: printed}
        spec:
          accelerator: tcg
          memory: 1Gi
          disks: [{name: install, volume: iso, cdrom: true, bootOrder: 1}]
          networks: [{name: default, ports: [{port: 22, servicePort: 2222}]}]
        """);
    Path run = tmp.resolve("run");
    Result r =
        fastvm(
            "run",
            "--print-qemu-command",
            "-f",
            vm.toString(),
            "--volume",
            "iso=" + iso,
            "--state-dir",
            tmp.resolve("state").toString(),
            "--runtime-dir",
            run.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).endsWith("qemu-system-x86_64");
    assertThat(lines).contains("-accel", "tcg", "-m", "1024M");
    assertThat(lines).anyMatch(l -> l.contains("\"filename\":\"" + iso + "\""));
    assertThat(lines).anyMatch(l -> l.contains("tcp:127.0.0.1:2222-:22"));
    assertThat(run).doesNotExist();
    assertThat(tmp.resolve("state")).doesNotExist();
  }

  @Test
  void unreadableManifestIsInvalidInput() {
    Result r = fastvm("run", "-f", tmp.resolve("missing.yaml").toString());
    assertThat(r.code()).isEqualTo(LauncherInvocation.ExitCode.INVALID);
    assertThat(r.err()).contains("cannot read manifest");
  }

  @Test
  void manifestsAreValidatedAgainstTheCrdsBeforeAnythingStarts() throws Exception {
    Path vm = tmp.resolve("vm.yaml");
    Files.writeString(
        vm,
        """
        apiVersion: fastvm.io/v1alpha1
        kind: VirtualMachine
        metadata: {name: invalid}
        spec:
          memory: 1Gi
          firmware: {type: bios, secureBoot: true}
          cpu: {cores: 0}
          kernelBoot: {kernel: k}
        """);
    Result r =
        fastvm(
            "run",
            "-f",
            vm.toString(),
            "--state-dir",
            tmp.resolve("state").toString(),
            "--runtime-dir",
            tmp.resolve("run").toString());
    assertThat(r.code()).isEqualTo(LauncherInvocation.ExitCode.INVALID);
    assertThat(r.err())
        .contains("secureBoot requires firmware type uefi")
        .contains("spec.cpu.cores");
    assertThat(tmp.resolve("state")).doesNotExist();
  }

  @Test
  void embeddedDemoManifestIsExamplesLocalDemoYaml() throws Exception {
    Path example = Path.of("..", "examples", "local", "demo.yaml");
    assertThat(DemoGuest.manifest()).isEqualTo(Files.readString(example));
    var set = new ManifestReader(ManifestValidator.NONE).read(List.of(example));
    assertThat(set.spec().kernelBoot().kernel()).isEqualTo(DemoGuest.KERNEL_VOLUME);
  }

  /** The acceptance path: a real guest from examples/, Ctrl-C powers it off, exit 0. */
  @Test
  void demoVmBootsServesItsPageAndPowersOffOnCtrlC() throws Exception {
    GuestImage demo = DemoGuest.build();
    // QEMU's port forward needs a number, so one is picked here; if something else took it in
    // the meantime, QEMU cannot start and another one is tried.
    for (int attempt = 1; ; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path log = tmp.resolve("out-" + attempt + ".log");
      Process fastvm = startDemo(demo, port, log, attempt);
      try {
        if (!awaitInFile(log, "FASTVM-GUEST ready", fastvm)) {
          String out = Files.readString(log);
          if (attempt < 5 && out.contains("Could not set up host forwarding rule")) {
            continue;
          }
          throw new AssertionError("the demo VM never got ready:\n" + out);
        }
        HttpResponse<String> page =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).contains("Hello from a fastvm VM").contains("address 10.0.2.15/24");
        assertThat(Files.readString(log)).contains("serial.sock").contains("vnc.sock");
        new ProcessBuilder("kill", "-INT", String.valueOf(fastvm.pid())).start().waitFor();
        assertThat(fastvm.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(fastvm.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log))
            .contains("power-button pressed")
            .contains("the guest powered off (guest-shutdown); stopped on request");
        return;
      } finally {
        fastvm.destroyForcibly();
        fastvm.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private Process startDemo(GuestImage demo, int port, Path log, int attempt) throws Exception {
    Path manifest = tmp.resolve("demo.yaml");
    Files.writeString(
        manifest,
        Files.readString(Path.of("..", "examples", "local", "demo.yaml"))
            .replace("servicePort: 8080", "servicePort: " + port)
            .replace("accelerator: auto", "accelerator: tcg"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(FastvmCommand.class.getName());
    command.addAll(
        List.of(
            "run",
            "-f",
            manifest.toString(),
            "--volume",
            DemoGuest.KERNEL_VOLUME + "=" + demo.kernel(),
            "--volume",
            DemoGuest.INITRD_VOLUME + "=" + demo.initrd(),
            "--state-dir",
            tmp.resolve("state").toString(),
            "--runtime-dir",
            tmp.resolve("run-" + attempt).toString()));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** True once {@code text} is in the log; false if the process ended first. */
  private static boolean awaitInFile(Path log, String text, Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return true;
      }
      if (!process.isAlive()) {
        process.waitFor();
        return Files.readString(log).contains(text);
      }
      process.waitFor(200, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError("no '" + text + "' within 4 minutes in:\n" + Files.readString(log));
  }
}
