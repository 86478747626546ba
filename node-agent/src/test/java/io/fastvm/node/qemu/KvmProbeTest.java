package io.fastvm.node.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmProbeTest {

  @TempDir Path tmp;

  @Test
  void probesOnceAndCachesTheAnswerForThisHostBoot() throws Exception {
    KvmProbe probe =
        new KvmProbe(Path.of("/usr/bin/qemu-system-x86_64"), tmp, Duration.ofSeconds(3));
    KvmProbe.Result first = probe.run();
    assertThat(first.cached()).isFalse();
    assertThat(first.reason()).isNotBlank();
    KvmProbe.Result second = probe.run();
    if (!Files.exists(Path.of("/dev/kvm"))) {
      assertThat(first.works()).isFalse();
      assertThat(first.reason()).contains("/dev/kvm does not exist");
      return;
    }
    assertThat(second.cached()).isTrue();
    assertThat(second.works()).isEqualTo(first.works());
    String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    assertThat(tmp.resolve("kvm-probe-" + bootId)).exists();
  }

  @Test
  void anOldNegativeAnswerIsProbedAgainButAPositiveOneIsKept() throws Exception {
    String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    Path cache = tmp.resolve("kvm-probe-" + bootId);
    KvmProbe probe =
        new KvmProbe(Path.of("/usr/bin/qemu-system-x86_64"), tmp, Duration.ofSeconds(3));
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isWritable(Path.of("/dev/kvm")), "needs /dev/kvm to reach the cache");

    Files.writeString(cache, "fails\tremembered from two hours ago");
    Files.setLastModifiedTime(cache, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    assertThat(probe.run().cached()).as("a stale negative answer is not trusted").isFalse();

    Files.writeString(cache, "works\tremembered from two hours ago");
    Files.setLastModifiedTime(cache, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    KvmProbe.Result kept = probe.run();
    assertThat(kept.cached()).isTrue();
    assertThat(kept.works()).isTrue();
  }
}
