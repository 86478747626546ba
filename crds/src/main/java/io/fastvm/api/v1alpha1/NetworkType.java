package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum NetworkType {
  /** The pod network, masqueraded into the guest; forwarded ports get a Service. */
  @JsonProperty("nat")
  NAT,
  /** A Multus bridge-CNI interface bridged to the guest's tap. */
  @JsonProperty("bridge")
  BRIDGE,
  /** A macvtap-CNI interface whose tap device QEMU opens. */
  @JsonProperty("macvtap")
  MACVTAP,
  /** A NIC with no route outside the VM. */
  @JsonProperty("isolated")
  ISOLATED;

  /** Whether the NIC is a Multus interface of the pod, plugged into a tap device. */
  public boolean usesMultus() {
    return this == BRIDGE || this == MACVTAP;
  }
}
