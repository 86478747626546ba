package io.fastvm.node.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemorySizeTest {

  @Test
  void memoryQuantities() {
    assertThat(MemorySize.mebibytes("512Mi")).hasValue(512);
    assertThat(MemorySize.mebibytes("2Gi")).hasValue(2048);
    assertThat(MemorySize.mebibytes("1.5Gi")).hasValue(1536);
    assertThat(MemorySize.mebibytes("1G")).hasValue(954);
    assertThat(MemorySize.mebibytes("1048576Ki")).hasValue(1024);
    assertThat(MemorySize.mebibytes("100")).hasValue(1);
    assertThat(MemorySize.mebibytes("2 Gi")).isEmpty();
    assertThat(MemorySize.mebibytes("-1Gi")).isEmpty();
    assertThat(MemorySize.mebibytes("1e3")).isEmpty();
  }
}
