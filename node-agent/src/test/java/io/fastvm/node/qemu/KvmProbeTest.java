package io.fastvm.node.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
}
