package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How QEMU executes guest code. */
public enum Accelerator {
  /** KVM when a probe proves it works, otherwise TCG. */
  @JsonProperty("auto")
  AUTO,
  /** KVM or fail. */
  @JsonProperty("kvm")
  KVM,
  /** Software emulation (TCG), slow but works everywhere. */
  @JsonProperty("tcg")
  TCG
}
