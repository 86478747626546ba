package io.fastvm.operator.volume;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fastvm.api.v1alpha1.AccessMode;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumeSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The PVC of a Volume: big enough for its image ({@link VolumeSizes}), in the Volume's storage
 * class and access modes (ReadWriteOnce by default), owned by the Volume so it goes with it.
 */
public final class VolumeClaim {
  private VolumeClaim() {}

  public static PersistentVolumeClaim desired(Volume volume) {
    VolumeSpec spec = volume.getSpec();
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(VolumeNames.claim(volume))
        .withNamespace(volume.getMetadata().getNamespace())
        .withLabels(VolumeMetadata.labels(volume, "disk"))
        .withOwnerReferences(VolumeMetadata.controllerReference(volume))
        .endMetadata()
        .withNewSpec()
        .withAccessModes(accessModes(spec))
        .withStorageClassName(spec.storageClassName())
        .withNewResources()
        .withRequests(Map.of("storage", size(volume)))
        .endResources()
        .endSpec()
        .build();
  }

  public static Quantity size(Volume volume) {
    return VolumeSizes.claimSize(VolumeSizes.bytes(volume.getSpec().size()));
  }

  public static List<String> accessModes(VolumeSpec spec) {
    List<AccessMode> modes = spec.accessModes();
    if (modes == null || modes.isEmpty()) {
      return List.of("ReadWriteOnce");
    }
    return modes.stream().map(AccessMode::kubernetesName).toList();
  }

  /** The storage the PVC asks for today. */
  public static Optional<Quantity> requested(PersistentVolumeClaim claim) {
    if (claim.getSpec() == null || claim.getSpec().getResources() == null) {
      return Optional.empty();
    }
    Map<String, Quantity> requests = claim.getSpec().getResources().getRequests();
    return requests == null ? Optional.empty() : Optional.ofNullable(requests.get("storage"));
  }

  /** Whether the PVC must grow to hold the Volume's (grown) image. */
  public static boolean mustGrow(PersistentVolumeClaim claim, Volume volume) {
    return requested(claim).map(q -> VolumeSizes.larger(size(volume), q)).orElse(false);
  }

  /** Only one node can mount it at a time: clones of it must run where it is mounted. */
  public static boolean singleNode(VolumeSpec spec) {
    return accessModes(spec).stream()
        .noneMatch(m -> m.equals("ReadOnlyMany") || m.equals("ReadWriteMany"));
  }
}
