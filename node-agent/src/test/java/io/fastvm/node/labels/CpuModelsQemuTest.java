package io.fastvm.node.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastvm.node.device.KvmHealth;
import io.fastvm.node.process.Executables;
import io.fastvm.node.qemu.AcceleratorKind;
import io.fastvm.node.qemu.KvmProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.SortedSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's real QEMU says which CPU models it runs; a QEMU that fails or hangs says why. */
class CpuModelsQemuTest {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  static Path qemu() {
    var qemu = Executables.find("qemu-system-x86_64", "FASTVM_QEMU");
    Assumptions.assumeTrue(
        qemu.isPresent(), "needs qemu-system-x86_64 (Debian package qemu-system-x86)");
    return qemu.orElseThrow();
  }

  @Test
  void tcgRunsQemu64AndMaxButNotHost() throws Exception {
    Path qemu = qemu();
    Set<Long> before = children();
    SortedSet<String> models = new CpuModels(qemu, tmp, TIMEOUT).query(AcceleratorKind.TCG);
    System.out.println("QEMU under TCG runs " + models.size() + " CPU models: " + models);

    assertThat(models).contains("qemu64", "max").doesNotContain(CpuModels.HOST);
    assertThat(models).allMatch(NodeLabels::validNamePart, "a valid label name part");
    assertThat(children()).as("QEMU processes left").isSubsetOf(before);
    assertThat(tmp).as("the socket folder is gone").isEmptyDirectory();
  }

  /**
   * Under KVM the host's own model is on offer. Listing models runs no guest code, so a /dev/kvm
   * that hangs in guests (as on these machines) still answers; without /dev/kvm QEMU says so.
   */
  @Test
  void kvmAddsHostOrSaysWhyNot() throws Exception {
    Path qemu = qemu();
    CpuModels models = new CpuModels(qemu, tmp, TIMEOUT);
    if (Files.exists(Path.of("/dev/kvm"))) {
      assertThat(models.query(AcceleratorKind.KVM)).contains(CpuModels.HOST, "max");
    } else {
      assertThatThrownBy(() -> models.query(AcceleratorKind.KVM))
          .isInstanceOf(CpuModels.CpuModelsException.class)
          .hasMessageContaining("kvm");
    }
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void theFeaturesFollowTheKvmVerdict() throws Exception {
    Path qemu = qemu();
    KvmHealth health = new KvmHealth(new KvmProbe(qemu, null, Duration.ofSeconds(3)));
    boolean kvm = health.check().healthy();
    NodeFeatures features = NodeFeatures.detect(health, new CpuModels(qemu, tmp, TIMEOUT));
    assertThat(features.kvm()).isEqualTo(kvm);
    assertThat(features.cpuModels().contains(CpuModels.HOST)).isEqualTo(kvm);
    assertThat(features.cpuModels()).contains("max");
  }

  @Test
  void aQemuThatNeverAnswersTimesOutAndIsKilled() throws Exception {
    Path hangs = script("hangs", "exec sleep 300");
    Set<Long> before = children();
    long started = System.nanoTime();
    assertThatThrownBy(
            () -> new CpuModels(hangs, tmp, Duration.ofMillis(500)).query(AcceleratorKind.TCG))
        .isInstanceOf(CpuModels.CpuModelsException.class)
        .hasMessageContaining("did not list its CPU models within 500 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(children()).as("processes left").isSubsetOf(before);
    assertThat(tmp).isDirectoryContaining(p -> p.getFileName().toString().equals("hangs"));
    assertThat(tmp).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith("fastvm"));
  }

  @Test
  void aQemuThatFailsSaysWhy() throws Exception {
    Path fails =
        script("fails", "echo 'qemu-system-x86_64: -accel tcg: invalid accelerator' >&2; exit 1");
    assertThatThrownBy(() -> new CpuModels(fails, tmp, TIMEOUT).query(AcceleratorKind.TCG))
        .isInstanceOf(CpuModels.CpuModelsException.class)
        .hasMessageContaining("exited with status 1 before it listed its CPU models")
        .hasMessageContaining("invalid accelerator");
  }

  @Test
  void aMissingBinaryIsAClearError() {
    Path missing = tmp.resolve("no-such-qemu");
    assertThatThrownBy(() -> new CpuModels(missing, tmp, TIMEOUT).query(AcceleratorKind.TCG))
        .isInstanceOf(CpuModels.CpuModelsException.class)
        .hasMessageContaining(missing.toString());
    assertThat(tmp).isEmptyDirectory();
  }

  private Path script(String name, String body) throws Exception {
    Path script = tmp.resolve(name);
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  /** This JVM's live child processes. */
  private static Set<Long> children() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }
}
