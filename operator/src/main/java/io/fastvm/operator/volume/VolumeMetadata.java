package io.fastvm.operator.volume;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.operator.vm.VmMetadata;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels, owner references and the finalizer of what the operator makes for a Volume. */
public final class VolumeMetadata {
  private VolumeMetadata() {}

  public static final String VOLUME_LABEL = "fastvm.io/volume";
  public static final String VOLUME_UID_LABEL = "fastvm.io/volume-uid";

  /**
   * Held while VMs use the Volume or overlay clones are backed by it, so neither loses its disk
   * (like Kubernetes' pvc-protection); the reconciler removes it once nothing does.
   */
  public static final String PROTECTION_FINALIZER = "fastvm.io/volume-protection";

  public static Map<String, String> labels(Volume volume, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(VmMetadata.MANAGED_BY, VmMetadata.MANAGED_BY_VALUE);
    labels.put(VmMetadata.NAME_LABEL, "fastvm");
    labels.put(VmMetadata.COMPONENT_LABEL, component);
    labels.put(VOLUME_LABEL, VmMetadata.labelValue(volume.getMetadata().getName()));
    labels.put(VOLUME_UID_LABEL, volume.getMetadata().getUid());
    return labels;
  }

  /** The Volume as controller: the garbage collector deletes the object with the Volume. */
  public static OwnerReference controllerReference(Volume volume) {
    return new OwnerReferenceBuilder()
        .withApiVersion(volume.getApiVersion())
        .withKind("Volume")
        .withName(volume.getMetadata().getName())
        .withUid(volume.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
