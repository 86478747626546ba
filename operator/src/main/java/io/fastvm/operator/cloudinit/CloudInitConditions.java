package io.fastvm.operator.cloudinit;

/** Condition types and reasons of a CloudInitConfig. */
public final class CloudInitConditions {
  private CloudInitConditions() {}

  /** True once VMs can boot with it: rendered, validated and written to its Secret. */
  public static final String READY = "Ready";

  /** Ready: the seed is rendered and valid. */
  public static final String RENDERED = "Rendered";

  /** Not Ready: a password Secret, or its key, is not there. */
  public static final String SECRET_NOT_FOUND = "SecretNotFound";

  /** Not Ready: the spec, or what it renders, is not valid cloud-init input. */
  public static final String INVALID = "Invalid";
}
