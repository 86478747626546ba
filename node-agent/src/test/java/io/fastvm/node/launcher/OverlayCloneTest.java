package io.fastvm.node.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestBudget;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overlay clones of one template image, with real QEMU guests (TCG): the launcher makes each
 * clone's qcow2 overlay on its first start, backed read-only by the template; two clones boot at
 * the same time; what each writes stays in its own overlay (seen again on its next boot, never by
 * the other); the template's image is byte-identical afterwards.
 */
class OverlayCloneTest {

  @TempDir Path tmp;

  private static final long TEMPLATE_BYTES = 16L << 20;

  @Test
  void clonesBootFromOneTemplateKeepTheirWritesAndNeverChangeIt() throws Exception {
    TestBudget budget = TestBudget.of(Duration.ofMinutes(6), "three boots of two overlay clones");
    GuestImage guest = TestGuests.kernelBootGuest();
    Path template = tmp.resolve("template.raw");
    byte[] content = new byte[(int) TEMPLATE_BYTES];
    byte[] mark = "TEMPLATE".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(mark, 0, content, 1 << 20, mark.length);
    Files.write(template, content);
    String before = sha256(template);

    TestVm one = clone("one", guest, template);
    TestVm two = clone("two", guest, template);
    try (LauncherProcess a = one.start();
        LauncherProcess b = two.start()) {
      assertThat(a.awaitLine(l -> l.contains("diskmark"), budget, "clone one's disk mark"))
          .contains("diskmark before=TEMPLATE written=clone-one");
      assertThat(b.awaitLine(l -> l.contains("diskmark"), budget, "clone two's disk mark"))
          .contains("diskmark before=TEMPLATE written=clone-two");
      assertThat(a.output()).contains("overlay ").contains(" made on " + template);
      powerOff(a, budget);
      powerOff(b, budget);
    }
    assertThat(sha256(template)).as("the template's image").isEqualTo(before);

    // The next start of clone one finds its overlay (backed by the template) and its own write.
    TestVm again = clone("one", guest, template).manifest(manifest("one", "clone-again"));
    try (LauncherProcess a = again.start()) {
      assertThat(a.awaitLine(l -> l.contains("diskmark"), budget, "clone one's second boot"))
          .contains("diskmark before=clone-one written=clone-again");
      assertThat(a.output()).doesNotContain(" made on ");
      powerOff(a, budget);
    }
    assertThat(sha256(template)).as("the template's image").isEqualTo(before);
  }

  @Test
  void anOverlayBackedByAnotherFileThanItsSourceIsRefused() throws Exception {
    GuestImage guest = TestGuests.kernelBootGuest();
    Path template = Files.write(tmp.resolve("template.raw"), new byte[1 << 20]);
    Path other = Files.write(tmp.resolve("other.raw"), new byte[1 << 20]);
    TestVm vm = clone("odd", guest, template);
    Path overlay = tmp.resolve("odd").resolve("disk.img");
    new io.fastvm.node.volume.QemuImg(Path.of("/usr/bin/qemu-img"))
        .createOverlay(overlay, other, "raw", 1L << 30);
    try (LauncherProcess launcher = vm.start()) {
      assertThat(launcher.awaitExit(Duration.ofMinutes(1)))
          .isEqualTo(LauncherInvocation.ExitCode.INVALID);
      assertThat(Files.readString(vm.terminationLog()))
          .contains("is backed by " + other)
          .contains("not by its source's image " + template);
    }
  }

  private TestVm clone(String name, GuestImage guest, Path template) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    return new TestVm(dir)
        .kernelBoot(guest)
        .volume("template", template)
        .volume("disk-" + name, dir)
        .manifest(manifest(name, "clone-" + name));
  }

  private static String manifest(String name, String mark) {
    return """
        apiVersion: fastvm.io/v1alpha1
        kind: Volume
        metadata: {name: template}
        spec: {size: 1Gi, format: raw, source: {blank: {}}}
        ---
        apiVersion: fastvm.io/v1alpha1
        kind: Volume
        metadata: {name: disk-%s}
        spec: {size: 1Gi, format: qcow2, source: {volume: {name: template, mode: overlay}}}
        ---
        """
            .formatted(name)
        + TestVm.kernelBootVm(
            name,
            "256Mi",
            "'console=ttyS0 panic=-1 quiet fastvm.expect=vd:1 fastvm.mark=" + mark + "'",
            "display: {type: none}\ndisks:\n  - {name: root, volume: disk-" + name + "}");
  }

  private static void powerOff(LauncherProcess launcher, TestBudget budget) throws Exception {
    launcher.awaitLine("power-button watching", budget);
    launcher.signal("TERM");
    assertThat(launcher.awaitExit(budget)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
