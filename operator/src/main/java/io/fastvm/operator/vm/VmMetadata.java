package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fastvm.api.v1alpha1.VirtualMachine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Labels, annotations and owner references the operator puts on what it creates for a VM. */
public final class VmMetadata {
  private VmMetadata() {}

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "fastvm-operator";
  public static final String NAME_LABEL = "app.kubernetes.io/name";
  public static final String COMPONENT_LABEL = "app.kubernetes.io/component";

  /** The VM's name, or a hash of it when it is too long for a label value. */
  public static final String VM_LABEL = "fastvm.io/vm";

  /** The VM's uid: the Service selects the VM's pod with it. */
  public static final String VM_UID_LABEL = io.fastvm.contract.PodLayout.VM_UID_LABEL;

  /** Label selector of the informers: only objects this operator made are cached. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

  // Pod annotations: what the pod was started from, so decisions are derived from observed state.
  public static final String MANIFEST_ANNOTATION = "fastvm.io/manifest";
  public static final String SPEC_HASH_ANNOTATION = "fastvm.io/spec-hash";
  public static final String RUN_ANNOTATION = "fastvm.io/run";
  public static final String VCPUS_ANNOTATION = "fastvm.io/vcpus";
  public static final String FAILURE_COUNT_ANNOTATION = "fastvm.io/failure-count";

  /** On a pod: the restart request value it was started for. */
  public static final String POD_RESTART_ANNOTATION = VirtualMachine.RESTART_ANNOTATION;

  /**
   * On a VM with runStrategy Manual: stop it once. A start (or restart) is {@link
   * VirtualMachine#RESTART_ANNOTATION}; the later of the two timestamps wins.
   */
  public static final String STOP_ANNOTATION = "fastvm.io/stopRequestedAt";

  public static final String MULTUS_NETWORKS_ANNOTATION = "k8s.v1.cni.cncf.io/networks";

  public static Map<String, String> labels(VirtualMachine vm, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, MANAGED_BY_VALUE);
    labels.put(NAME_LABEL, "fastvm");
    labels.put(COMPONENT_LABEL, component);
    labels.put(VM_LABEL, labelValue(vm.getMetadata().getName()));
    labels.put(VM_UID_LABEL, vm.getMetadata().getUid());
    return labels;
  }

  /** Owner reference that makes the VM the controller: GC deletes the object with the VM. */
  public static OwnerReference controllerReference(VirtualMachine vm) {
    return new OwnerReferenceBuilder()
        .withApiVersion(VirtualMachine.API_VERSION)
        .withKind("VirtualMachine")
        .withName(vm.getMetadata().getName())
        .withUid(vm.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** Whether {@code object} is controlled by this very owner (same uid, not a namesake). */
  public static boolean controlledBy(HasMetadata object, HasMetadata owner) {
    String uid = owner.getMetadata().getUid();
    return object.getMetadata().getOwnerReferences().stream()
        .anyMatch(ref -> Boolean.TRUE.equals(ref.getController()) && uid.equals(ref.getUid()));
  }

  public static Optional<String> annotation(HasMetadata object, String key) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(key));
  }

  /** A valid label value (at most 63 characters) that identifies {@code name}. */
  public static String labelValue(String name) {
    if (name.length() <= 63) {
      return name;
    }
    return name.substring(0, 50) + "-" + shortHash(name, 12);
  }

  public static String shortHash(String text, int hexChars) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, hexChars);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
