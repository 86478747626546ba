package io.fastvm.node.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestBuilderTest {

  @TempDir Path tmp;

  @Test
  void resolvesModuleDependenciesInLoadOrder() throws Exception {
    DebianKernel kernel = DebianKernel.newest(DebianKernel.GENERIC).orElseThrow();
    KernelModules modules = KernelModules.read(kernel.modulesDir());
    List<String> order = modules.resolve(List.of("virtio_net", "sr_mod"));
    List<String> names = order.stream().map(KernelModules::name).toList();
    assertThat(names).contains("virtio_net", "net_failover", "failover", "sr_mod", "cdrom");
    assertThat(names.indexOf("failover")).isLessThan(names.indexOf("net_failover"));
    assertThat(names.indexOf("net_failover")).isLessThan(names.indexOf("virtio_net"));
    assertThat(names.indexOf("cdrom")).isLessThan(names.indexOf("sr_mod"));
    assertThatThrownBy(() -> modules.resolve(List.of("no_such_module")))
        .hasMessageContaining("has no module no_such_module");
  }

  @Test
  void settingsAreQuotedForTheShell() {
    String init = GuestBuilder.initScript(Map.of("GUEST_BANNER", "it's $(reboot) `x`"));
    assertThat(init).startsWith("#!/bin/busybox sh\nGUEST_BANNER='it'\\''s $(reboot) `x`'\n");
    assertThatThrownBy(() -> GuestBuilder.initScript(Map.of("PATH", "/x")))
        .hasMessageContaining("not a guest setting");
  }

  @Test
  void buildsACachedInitramfsWithBusyboxModulesAndInit() throws Exception {
    GuestBuilder builder = new GuestBuilder(tmp);
    GuestRecipe recipe =
        new GuestRecipe(
            List.of(DebianKernel.CLOUD),
            List.of("virtio_net"),
            Map.of("GUEST_POWER_BUTTON", "acpi"),
            "quiet");
    GuestImage image = builder.build(recipe);
    assertThat(image.kernel()).isRegularFile();
    assertThat(image.kernelVersion()).endsWith("-cloud-amd64");
    var modified = Files.getLastModifiedTime(image.initrd());
    assertThat(builder.build(recipe).initrd()).isEqualTo(image.initrd());
    assertThat(Files.getLastModifiedTime(image.initrd())).isEqualTo(modified);
    assertThat(builder.build(recipe.with("GUEST_POWER_BUTTON", "ignore")).initrd())
        .isNotEqualTo(image.initrd());

    List<String> entries = new java.util.ArrayList<>();
    try (var in =
        new CpioArchiveInputStream(new GZIPInputStream(Files.newInputStream(image.initrd())))) {
      CpioArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        entries.add(e.getName() + (e.isDirectory() ? "/" : ""));
      }
    }
    assertThat(entries)
        .contains("init", "bin/busybox", "etc/modules.order", "dev/", "proc/")
        .anyMatch(n -> n.endsWith("/virtio_net.ko"));
  }
}
