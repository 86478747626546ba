package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.testing.TestVms;
import org.junit.jupiter.api.Test;

class VmServiceAndClaimTest {

  @Test
  void natPortsBecomeAServiceSelectingTheVmsPod() {
    VirtualMachine vm = TestVms.vm("web", TestVms.spec().disk("root", "root").natWithSsh().build());
    var service = VmService.desired(vm).orElseThrow();
    assertThat(service.getMetadata().getName()).isEqualTo("web");
    assertThat(service.getSpec().getSelector())
        .containsExactly(java.util.Map.entry(VmMetadata.VM_UID_LABEL, vm.getMetadata().getUid()));
    assertThat(service.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort()).isEqualTo(2222);
              assertThat(p.getTargetPort().getIntVal()).isEqualTo(22);
              assertThat(p.getName()).isEqualTo("ssh");
            });
    assertThat(VmService.upToDate(service, service)).isTrue();
  }

  @Test
  void noPortsNoService() {
    assertThat(VmService.desired(TestVms.vm("x", TestVms.spec().disk("root", "r").build())))
        .isEmpty();
  }

  @Test
  void serviceNamesAreValidLabels() {
    assertThat(VmNames.service(TestVms.vm("1st.vm", TestVms.spec().build())))
        .matches("vm-1st-vm-[0-9a-f]{8}");
  }

  @Test
  void statePvcOnlyForUefiOrTpmOwnedByTheVm() {
    VirtualMachine bios = TestVms.vm("a", TestVms.spec().disk("root", "r").build());
    assertThat(VmStateClaim.desired(bios, OperatorSettings.defaults())).isEmpty();
    VirtualMachine uefi = TestVms.vm("b", TestVms.spec().disk("root", "r").uefiWithTpm().build());
    var pvc = VmStateClaim.desired(uefi, OperatorSettings.defaults()).orElseThrow();
    assertThat(pvc.getMetadata().getName()).isEqualTo("b-state");
    assertThat(pvc.getSpec().getResources().getRequests())
        .containsEntry("storage", new Quantity("64Mi"));
    assertThat(pvc.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getController()).isTrue();
              assertThat(ref.getUid()).isEqualTo(uefi.getMetadata().getUid());
            });
  }
}
