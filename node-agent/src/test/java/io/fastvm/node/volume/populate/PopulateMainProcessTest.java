package io.fastvm.node.volume.populate;

import static io.fastvm.node.volume.populate.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.volume.PopulateExitCode;
import io.fastvm.contract.volume.PopulateInvocation;
import io.fastvm.contract.volume.PopulateProgress;
import io.fastvm.contract.volume.PopulateResult;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.volume.QemuImg;
import io.fastvm.node.volume.QemuImg.ImageInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract between the operator and the populate Job: {@link PopulateInvocation#toArgs()} run
 * as the Job's own process ({@code java -cp ... PopulateMain}, with the JVM options of the {@code
 * fastvm-populate} script), read back the way the operator reads it: exit code, termination
 * message, progress lines in the log.
 */
class PopulateMainProcessTest {

  @TempDir Path tmp;
  private ImageServer server;

  @BeforeEach
  void startServer() throws IOException {
    TestImages.assumeQemuTools();
    server = ImageServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private record Run(int exitCode, String stdout, String stderr) {}

  /** Runs {@code fastvm-populate args} in its own JVM, as the Job's container does. */
  private static Run populate(List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(scriptJvmOptions());
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(PopulateMain.class.getName());
    command.addAll(args);
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().close();
    CompletableFuture<String> stdout = read(process.getInputStream());
    CompletableFuture<String> stderr = read(process.getErrorStream());
    TestBudget budget = TestBudget.of(Duration.ofSeconds(60), "one populator run");
    if (!process.waitFor(budget.left("fastvm-populate").toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(budget.exceeded("fastvm-populate to exit") + "; " + stderr.get());
    }
    return new Run(process.exitValue(), stdout.get(), stderr.get());
  }

  private static CompletableFuture<String> read(java.io.InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "(unreadable: " + e + ")";
          }
        });
  }

  /** The JVM options of node-agent/fastvm-populate: what the Job runs is what is tested. */
  static List<String> scriptJvmOptions() throws IOException {
    String script = Files.readString(Path.of("fastvm-populate"));
    List<String> options = new ArrayList<>();
    Matcher m = Pattern.compile("(?<=\\s)-(?:XX:|X|D)\\S+").matcher(script);
    while (m.find()) {
      options.add(m.group());
    }
    assertThat(options).as("JVM options in fastvm-populate").isNotEmpty();
    return options;
  }

  @Test
  void anImportReportsProgressAndItsResult() throws Exception {
    byte[] content = TestImages.rawDisk(4 * MIB, 41);
    URI url = server.serve("/disk.raw", content);
    Path volume = Files.createDirectories(tmp.resolve("volumes/root"));
    Path terminationLog = tmp.resolve("termination-log");
    PopulateInvocation invocation =
        new PopulateInvocation(
            volume,
            "qcow2",
            8L * MIB,
            new PopulateInvocation.Http(url.toString(), TestImages.sha256(content)),
            terminationLog);

    Run run = populate(invocation.toArgs());

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(PopulateExitCode.DONE);
    PopulateResult result = PopulateResult.fromJson(Files.readString(terminationLog));
    ImageInfo info = QemuImg.find().orElseThrow().info(volume.resolve("disk.img"), "qcow2");
    assertThat(result)
        .isEqualTo(
            new PopulateResult(8L * MIB, info.actualSize(), "qcow2", TestImages.sha256(content)));
    List<String> lines = run.stdout().lines().toList();
    assertThat(PopulateResult.fromJson(lines.getLast())).isEqualTo(result);
    List<PopulateProgress> progress =
        lines.stream().map(PopulateProgress::parse).flatMap(Optional::stream).toList();
    assertThat(progress).contains(new PopulateProgress(content.length, content.length));
    assertThat(PopulateProgress.last(run.stdout()).orElseThrow().percent()).isEqualTo(100);
    assertThat(
            TestImages.sameContent(
                TestImages.image(tmp, "expected", content, "raw"),
                "raw",
                volume.resolve("disk.img"),
                "qcow2"))
        .isTrue();
  }

  @Test
  void aFailureExitsWithItsCodeAndTheReasonInTheTerminationLog() throws Exception {
    Path volume = Files.createDirectories(tmp.resolve("volumes/root"));
    Path terminationLog = tmp.resolve("termination-log");
    PopulateInvocation invocation =
        new PopulateInvocation(
            volume,
            "raw",
            MIB,
            new PopulateInvocation.Http(server.uri("/gone.img").toString(), null),
            terminationLog);

    Run run = populate(invocation.toArgs());

    assertThat(run.exitCode()).isEqualTo(PopulateExitCode.PERMANENT);
    assertThat(Files.readString(terminationLog)).contains("HTTP 404").contains("/gone.img");
    assertThat(run.stderr()).contains("fastvm-populate: ").contains("HTTP 404");
    assertThat(volume.resolve("disk.img")).doesNotExist();
  }

  @Test
  void badArgumentsAreRefusedNamingTheArgument() throws Exception {
    Path terminationLog = tmp.resolve("termination-log");
    Run run =
        populate(
            List.of(
                "--volume-dir=" + tmp,
                "--format=raw",
                "--size=10G",
                "--source=blank",
                "--termination-log=" + terminationLog));
    assertThat(run.exitCode()).isEqualTo(PopulateExitCode.PERMANENT);
    assertThat(Files.readString(terminationLog)).contains("--size").contains("10G");
    assertThat(tmp.resolve("disk.img")).doesNotExist();
  }
}
