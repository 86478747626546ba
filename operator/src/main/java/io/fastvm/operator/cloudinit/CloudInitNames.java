package io.fastvm.operator.cloudinit;

import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.operator.vm.VmMetadata;

/** Names of what the operator makes for a CloudInitConfig. */
public final class CloudInitNames {
  private CloudInitNames() {}

  /** Label value ({@code app.kubernetes.io/component}) of a CloudInitConfig's Secret. */
  public static final String USER_DATA_COMPONENT = "cloud-init-user-data";

  /**
   * The Secret with the rendered user-data, {@code <config>-user-data}: a suffix no VM Secret ends
   * with ({@code -seed}, {@code -console-tls}), so a VM and a config of the same name never meet.
   */
  public static String userDataSecret(CloudInitConfig config) {
    String name = config.getMetadata().getName();
    if (name.length() > 200) {
      name = name.substring(0, 191).replaceAll("[.-]+$", "") + "-" + VmMetadata.shortHash(name, 8);
    }
    return name + "-user-data";
  }
}
