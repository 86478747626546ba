package io.fastvm.node.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastvm.api.v1alpha1.DiskBus;
import io.fastvm.api.v1alpha1.VolumeFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestReaderTest {

  @TempDir Path tmp;

  @Test
  void readsMultiDocumentFilesSkippingForeignKinds() throws Exception {
    Path a = tmp.resolve("a.yaml");
    Files.writeString(
        a,
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: ignored}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: pw}
        data: {password: aHVudGVyMg==}
        stringData: {plain: text}
        ---
        apiVersion: fastvm.io/v1alpha1
        kind: Volume
        metadata: {name: root}
        spec: {size: 10Gi, format: raw, source: {blank: {}}}
        """);
    Path b = tmp.resolve("b.yaml");
    Files.writeString(
        b,
        """
        apiVersion: fastvm.io/v1alpha1
        kind: VirtualMachine
        metadata: {name: vm, namespace: lab}
        spec:
          memory: 1Gi
          disks: [{name: root, volume: root, bus: scsi}]
          futureField: ignored
        """);
    ManifestSet set = new ManifestReader(ManifestValidator.NONE).read(List.of(a, b));
    assertThat(set.name()).isEqualTo("vm");
    assertThat(set.namespace()).isEqualTo("lab");
    assertThat(set.spec().disks().get(0).effectiveBus()).isEqualTo(DiskBus.SCSI);
    assertThat(set.volume("root").orElseThrow().effectiveFormat()).isEqualTo(VolumeFormat.RAW);
    assertThat(set.secrets().get("pw"))
        .containsEntry("password", "hunter2")
        .containsEntry("plain", "text");
  }

  @Test
  void exactlyOneVirtualMachine() throws Exception {
    Path none = tmp.resolve("none.yaml");
    Files.writeString(none, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    assertThatThrownBy(() -> new ManifestReader(ManifestValidator.NONE).read(List.of(none)))
        .hasMessageContaining("no VirtualMachine");
    Path two = tmp.resolve("two.yaml");
    String vm =
        "apiVersion: fastvm.io/v1alpha1\nkind: VirtualMachine\nmetadata: {name: %s}\nspec: {memory: 1Gi}\n";
    Files.writeString(two, vm.formatted("a") + "---\n" + vm.formatted("b"));
    assertThatThrownBy(() -> new ManifestReader(ManifestValidator.NONE).read(List.of(two)))
        .hasMessageContaining("a second VirtualMachine (b)");
    assertThatThrownBy(
            () -> new ManifestReader(ManifestValidator.NONE).read(List.of(tmp.resolve("nope"))))
        .hasMessageContaining("cannot read manifest");
  }

  @Test
  void validatorProblemsStopTheRead() throws Exception {
    Path file = tmp.resolve("vm.yaml");
    Files.writeString(
        file,
        "apiVersion: fastvm.io/v1alpha1\nkind: VirtualMachine\nmetadata: {name: a}\nspec: {memory: 1Gi}\n");
    ManifestValidator strict = (doc, source) -> List.of("spec.memory: too small for the test");
    assertThatThrownBy(() -> new ManifestReader(strict).read(List.of(file)))
        .hasMessageContaining("(document 1): spec.memory: too small for the test");
  }
}
