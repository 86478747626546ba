package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.api.v1alpha1.VmPhase;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.status.StatusPatch;
import io.fastvm.operator.testing.TestVms;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SmallPureFunctionsTest {

  @Test
  void statusPatchSetsChangedFieldsAndNullsRemovedOnes() {
    var before =
        new VirtualMachineStatus(
            VmPhase.RUNNING,
            PrintableStatus.RUNNING,
            List.of(),
            "node-1",
            "p-1",
            null,
            "10.0.0.1",
            null,
            2,
            null,
            null,
            null,
            1L);
    var after =
        new VirtualMachineStatus(
            VmPhase.STOPPED,
            PrintableStatus.STOPPED,
            List.of(),
            null,
            "p-1",
            null,
            null,
            null,
            2,
            null,
            null,
            null,
            1L);
    assertThat(StatusPatch.between(before, after))
        .contains(
            "{\"status\":{\"ipAddress\":null,\"nodeName\":null,\"phase\":\"Stopped\",\"printableStatus\":\"Stopped\"}}");
    assertThat(StatusPatch.between(after, after)).isEmpty();
    // Guarded by the version it was computed from: the server applies it to that version only.
    assertThat(StatusPatch.between(before, after, "42"))
        .hasValueSatisfying(
            patch -> assertThat(patch).startsWith("{\"metadata\":{\"resourceVersion\":\"42\"},"));
    assertThat(StatusPatch.between(after, after, "42")).isEmpty();
  }

  @Test
  void specHashIgnoresRunStrategyAndNamesChangedFields() {
    VirtualMachineSpec a = TestVms.spec().disk("root", "r").build();
    VirtualMachineSpec b =
        TestVms.spec()
            .runStrategy(io.fastvm.api.v1alpha1.RunStrategy.HALTED)
            .disk("root", "r")
            .build();
    VirtualMachineSpec c = TestVms.spec().memory("8Gi").cpus(4).disk("root", "r").build();
    assertThat(SpecHash.of(a)).isEqualTo(SpecHash.of(b)).isNotEqualTo(SpecHash.of(c));
    assertThat(SpecHash.changedFields(a, c)).containsExactly("cpu", "memory");
  }

  @Test
  void validatorCatchesWhatTheSchemaShould() {
    assertThat(SpecValidator.problems(TestVms.spec().build()))
        .contains("a VM needs at least one disk or a kernelBoot section");
    assertThat(SpecValidator.problems(TestVms.spec().memory("1Mi").disk("r", "r").build()))
        .anyMatch(p -> p.contains("at least 64Mi"));
    assertThat(SpecValidator.problems(TestVms.spec().disk("r", "r").bridge("lan", null).build()))
        .anyMatch(p -> p.contains("needs networkAttachment"));
    assertThat(
            SpecValidator.problems(
                TestVms.spec().disk("r", "r").bridge("lan", "lan-attachment").build()))
        .isEmpty();
    assertThat(
            SpecValidator.problems(
                TestVms.spec().disk("r", "r").macvtap("lan", "lan-attachment").build()))
        .containsExactly(
            "network lan: type macvtap is not supported yet; use bridge, nat or isolated");
    assertThat(SpecValidator.problems(TestVms.spec().disk("r", "r").cdrom("i", "r").build()))
        .isNotEmpty();
    assertThat(
            SpecValidator.problems(
                TestVms.spec().disk("r", "r").cdrom("i", "iso").natWithSsh().build()))
        .isEmpty();
  }

  @Test
  void referencesNeedReadyVolumesWithClaimsAndAReadyCloudInit() {
    VirtualMachineSpec spec =
        TestVms.spec().disk("root", "root").cdrom("iso", "iso").cloudInit("init").build();
    var ready = TestVms.readyVolume("root");
    var iso = TestVms.readyVolume("iso");
    iso.getStatus();
    var init = TestVms.cloudInit("init");
    var refs =
        ReferenceResolver.resolve(spec, Map.of("root", ready, "iso", iso), Optional.of(init));
    assertThat(refs.volumeProblems()).isEmpty();
    assertThat(refs.cloudInitProblems())
        .singleElement()
        .satisfies(p -> assertThat(p.reason()).isEqualTo("CloudInitConfigNotReady"));
    assertThat(refs.volumes().get("iso").readOnly()).isTrue();
    assertThat(refs.volumes().get("root").readOnly()).isFalse();
    assertThat(refs.volumes().get("root").imagePath()).isEqualTo("disk.img");
  }

  @Test
  void namesAreDeterministicAndValid() {
    var vm = TestVms.vm("a".repeat(100), TestVms.spec().build());
    String pod = VmNames.pod(vm, 12);
    assertThat(pod).hasSizeLessThanOrEqualTo(63).endsWith("-12").isEqualTo(VmNames.pod(vm, 12));
    assertThat(VmMetadata.labelValue("b".repeat(80))).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void conditionsKeepTransitionTimeWhileStatusStays() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    var first =
        Conditions.merge(
            List.of(), List.of(new Conditions.Wanted("Ready", false, "A", "a")), t0, 1L);
    var same =
        Conditions.merge(
            first, List.of(new Conditions.Wanted("Ready", false, "B", "b")), t0.plusSeconds(9), 2L);
    var flipped =
        Conditions.merge(
            same, List.of(new Conditions.Wanted("Ready", true, "C", "c")), t0.plusSeconds(20), 2L);
    assertThat(same.get(0).getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(flipped.get(0).getLastTransitionTime()).isEqualTo("2026-01-01T00:00:20Z");
  }

  @Test
  void aCpuLimitIsNeverBelowTheRequest() {
    VirtualMachineSpec spec = TestVms.spec().cpus(2).disk("r", "r").build();
    assertThat(VmResources.requests(spec, cpuLimited(1500)).get("cpu"))
        .isEqualTo(new Quantity("3000m"));
    assertThat(VmResources.limits(spec, cpuLimited(1500)).get("cpu"))
        .isEqualTo(new Quantity("3000m"));
    assertThat(VmResources.limits(spec, cpuLimited(250)).get("cpu"))
        .isEqualTo(new Quantity("2000m"));
  }

  /** A change of status.guest (the node agent's) reconciles; the operator's own status does not. */
  @Test
  void updatesOfTheGuestFactsReconcileOthersOfTheStatusDoNot() {
    var guest =
        new io.fastvm.api.v1alpha1.GuestStatus("p-1", true, null, "box", null, null, null, null);
    var old = TestVms.newVm("a", TestVms.spec().build());
    old.setStatus(RunningStatus.with(null, "p-1"));
    var ownWrite = TestVms.newVm("a", TestVms.spec().build());
    ownWrite.setStatus(RunningStatus.with(null, "p-2"));
    var agentWrite = TestVms.newVm("a", TestVms.spec().build());
    agentWrite.setStatus(RunningStatus.with(guest, "p-1"));
    VmUpdateFilter filter = new VmUpdateFilter();
    assertThat(filter.accept(ownWrite, old)).isFalse();
    assertThat(filter.accept(agentWrite, old)).isTrue();
  }

  /** A Running status naming {@code pod}, with {@code guest}. */
  private static final class RunningStatus {
    static VirtualMachineStatus with(io.fastvm.api.v1alpha1.GuestStatus guest, String pod) {
      return new VirtualMachineStatus(
          VmPhase.RUNNING,
          PrintableStatus.RUNNING,
          List.of(),
          "node-1",
          pod,
          null,
          null,
          guest,
          2,
          null,
          null,
          null,
          1L);
    }
  }

  /** The node agent's status.guest survives the operator's writes while it is about this pod. */
  @Test
  void guestFactsAreKeptForTheirPodOnly() {
    var guest =
        new io.fastvm.api.v1alpha1.GuestStatus(
            "p-1", true, null, "box", null, null, null, List.of());
    var observed = RunningStatus.with(guest, "p-1");
    assertThat(VmPlanner.guest(observed, "p-1")).isSameAs(guest);
    assertThat(VmPlanner.guest(observed, "p-2")).as("a new pod").isNull();
    assertThat(VmPlanner.guest(observed, null)).as("no pod").isNull();
    assertThat(VmPlanner.guest(null, "p-1")).isNull();
  }

  private static OperatorSettings cpuLimited(int millisPerVcpu) {
    OperatorSettings d = OperatorSettings.defaults();
    return new OperatorSettings(
        d.image(),
        d.imagePullPolicy(),
        d.requestKvmForAuto(),
        millisPerVcpu,
        true,
        false,
        d.overhead(),
        d.stateStorageClass(),
        d.stateStorageSize(),
        d.backoffInitial(),
        d.backoffMax(),
        d.backoffResetAfter(),
        d.nodeLostTimeout(),
        d.gracePeriodMarginSeconds());
  }
}
