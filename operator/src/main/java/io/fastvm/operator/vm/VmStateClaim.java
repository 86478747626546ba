package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.operator.config.OperatorSettings;
import java.util.Map;
import java.util.Optional;

/**
 * The per-VM state PVC: UEFI variables and TPM state, which must survive restarts. Owned by the VM
 * (controller reference), so the garbage collector deletes it with the VM and only then.
 */
public final class VmStateClaim {
  private VmStateClaim() {}

  public static boolean needed(VirtualMachineSpec spec) {
    return spec.effectiveFirmware().uefi() || spec.tpmEnabled();
  }

  public static Optional<PersistentVolumeClaim> desired(
      VirtualMachine vm, OperatorSettings settings) {
    if (!needed(vm.getSpec())) {
      return Optional.empty();
    }
    return Optional.of(
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName(VmNames.statePvc(vm))
            .withNamespace(vm.getMetadata().getNamespace())
            .withLabels(VmMetadata.labels(vm, "state"))
            .withOwnerReferences(VmMetadata.controllerReference(vm))
            .endMetadata()
            .withNewSpec()
            .withAccessModes("ReadWriteOnce")
            .withStorageClassName(settings.stateStorageClass())
            .withNewResources()
            .withRequests(Map.of("storage", new Quantity(settings.stateStorageSize())))
            .endResources()
            .endSpec()
            .build());
  }
}
