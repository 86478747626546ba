package io.fastvm.operator.vm;

import io.fastvm.api.v1alpha1.VirtualMachine;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Names of the objects the operator creates for a VM. They are deterministic, so a repeated create
 * (after an operator restart, a lost response or a stale cache) fails with AlreadyExists instead of
 * making a duplicate.
 */
public final class VmNames {
  private VmNames() {}

  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  /**
   * The pod of run {@code run}: {@code <vm>-<5 hex of the uid>-<run>}. The uid part keeps a VM that
   * was deleted and created again under the same name clear of its predecessor's pods, which may
   * still be shutting down.
   */
  public static String pod(VirtualMachine vm, long run) {
    return base(vm.getMetadata().getName(), 40) + "-" + uidPart(vm) + "-" + run;
  }

  /** The per-VM state PVC (UEFI variables, TPM state). */
  public static String statePvc(VirtualMachine vm) {
    return base(vm.getMetadata().getName(), 200) + "-state";
  }

  /**
   * The Secret with the serving certificate of the VM's console endpoint ({@code
   * <vm>-console-tls}): per VM, not per pod, since the certificate names the VM and outlives runs.
   */
  public static String consoleTlsSecret(VirtualMachine vm) {
    return base(vm.getMetadata().getName(), 200) + "-console-tls";
  }

  /** The Secret with the VM's NoCloud seed ({@code <vm>-seed}), made from its CloudInitConfig. */
  public static String cloudInitSeedSecret(VirtualMachine vm) {
    return base(vm.getMetadata().getName(), 200) + "-seed";
  }

  /**
   * The Service of forwarded ports: the VM's name when it is a DNS-1035 label (what Service names
   * must be), else {@code vm-<sanitized>-<hash>}.
   */
  public static String service(VirtualMachine vm) {
    String name = vm.getMetadata().getName();
    if (name.length() <= 63 && DNS_1035_LABEL.matcher(name).matches()) {
      return name;
    }
    String sanitized = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    if (sanitized.length() > 40) {
      sanitized = sanitized.substring(0, 40);
    }
    sanitized = sanitized.replaceAll("-+$", "");
    return "vm-" + sanitized + "-" + VmMetadata.shortHash(name, 8);
  }

  private static String uidPart(VirtualMachine vm) {
    String uid = vm.getMetadata().getUid();
    return uid.replace("-", "").substring(0, 5).toLowerCase(Locale.ROOT);
  }

  private static String base(String name, int max) {
    if (name.length() <= max) {
      return name;
    }
    String cut = name.substring(0, max - 9).replaceAll("[.-]+$", "");
    return cut + "-" + VmMetadata.shortHash(name, 8);
  }
}
