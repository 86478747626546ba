package io.fastvm.node.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class NodeLabelsTest {

  static NodeFeatures features(boolean kvm, String... models) {
    return new NodeFeatures(kvm, new TreeSet<>(java.util.List.of(models)));
  }

  @Test
  void aNodeWithoutLabelsGetsKvmAndOneLabelPerModel() {
    assertThat(NodeLabels.patch(null, features(false, "qemu64", "max")))
        .containsExactly(
            entry("cpu-model.fastvm.io/max", "true"),
            entry("cpu-model.fastvm.io/qemu64", "true"),
            entry("fastvm.io/kvm", "false"));
  }

  @Test
  void onlyWhatIsMissingIsAdded() {
    Map<String, String> current =
        Map.of("fastvm.io/kvm", "true", "cpu-model.fastvm.io/host", "true");
    assertThat(NodeLabels.patch(current, features(true, "host", "Haswell-v4")))
        .containsExactly(entry("cpu-model.fastvm.io/Haswell-v4", "true"));
  }

  @Test
  void modelsNoLongerOfferedAreRemoved() {
    Map<String, String> current =
        Map.of(
            "fastvm.io/kvm", "false",
            "cpu-model.fastvm.io/qemu64", "true",
            "cpu-model.fastvm.io/foo", "true",
            "cpu-model.fastvm.io/bar", "false");
    Map<String, String> patch = NodeLabels.patch(current, features(false, "qemu64"));
    assertThat(patch).hasSize(2).containsEntry("cpu-model.fastvm.io/foo", null);
    assertThat(patch).containsEntry("cpu-model.fastvm.io/bar", null);
  }

  @Test
  void aModelLabelWithAnotherValueIsSetToTrue() {
    Map<String, String> current = Map.of("fastvm.io/kvm", "false", "cpu-model.fastvm.io/max", "no");
    assertThat(NodeLabels.patch(current, features(false, "max")))
        .containsExactly(entry("cpu-model.fastvm.io/max", "true"));
  }

  @Test
  void kvmFlipsBothWays() {
    Map<String, String> on = Map.of("fastvm.io/kvm", "true", "cpu-model.fastvm.io/max", "true");
    assertThat(NodeLabels.patch(on, features(false, "max")))
        .containsExactly(entry("fastvm.io/kvm", "false"));
    Map<String, String> off = Map.of("fastvm.io/kvm", "false", "cpu-model.fastvm.io/max", "true");
    assertThat(NodeLabels.patch(off, features(true, "max")))
        .containsExactly(entry("fastvm.io/kvm", "true"));
  }

  @Test
  void labelsThatAreNotOursAreNeverTouched() {
    Map<String, String> current =
        Map.of(
            "kubernetes.io/hostname", "n1",
            "fastvm.io/other", "x",
            "cpu-model.fastvm.io.example/foo", "true",
            "example.com/cpu-model.fastvm.io/foo", "true",
            "fastvm.io/kvm", "true");
    Map<String, String> patch = NodeLabels.patch(current, features(false));
    assertThat(patch).containsExactly(entry("fastvm.io/kvm", "false"));
  }

  @Test
  void modelNamesThatCannotBeLabelNamesAreLeftOut() {
    String tooLong = "a".repeat(64);
    String longest = "a".repeat(63);
    Map<String, String> patch =
        NodeLabels.patch(
            Map.of("fastvm.io/kvm", "false"),
            features(false, "qemu64", tooLong, longest, "-lead", "trail.", "a b", "x/y", "é", ""));
    assertThat(patch)
        .containsOnlyKeys("cpu-model.fastvm.io/qemu64", "cpu-model.fastvm.io/" + longest);
    assertThat(NodeLabels.validNamePart("Opteron_G1-v1")).isTrue();
    assertThat(NodeLabels.validNamePart("486")).isTrue();
    assertThat(NodeLabels.validNamePart("a")).isTrue();
  }

  @Test
  void anInvalidModelChangesNothing() {
    Map<String, String> patch =
        NodeLabels.patch(
            Map.of("fastvm.io/kvm", "false", "cpu-model.fastvm.io/max", "true"),
            features(false, "max", "bad name"));
    assertThat(patch).isEmpty();
  }

  @Test
  void nothingChangedGivesAnEmptyPatch() {
    NodeFeatures features = features(true, "host", "max", "qemu64");
    Map<String, String> current = new HashMap<>(Map.of("kubernetes.io/os", "linux"));
    current.putAll(NodeLabels.patch(current, features));
    assertThat(NodeLabels.patch(current, features)).isEmpty();
    assertThat(current)
        .containsOnlyKeys(
            Stream.of(
                    "kubernetes.io/os",
                    "fastvm.io/kvm",
                    "cpu-model.fastvm.io/host",
                    "cpu-model.fastvm.io/max",
                    "cpu-model.fastvm.io/qemu64")
                .collect(Collectors.toSet()));
  }

  @Test
  void theMergePatchHasNullsForRemovals() {
    Map<String, String> patch = new java.util.TreeMap<>();
    patch.put("cpu-model.fastvm.io/foo", null);
    patch.put("fastvm.io/kvm", "true");
    assertThat(NodeLabeller.mergePatch(patch))
        .isEqualTo(
            "{\"metadata\":{\"labels\":{\"cpu-model.fastvm.io/foo\":null,\"fastvm.io/kvm\":\"true\"}}}");
  }
}
