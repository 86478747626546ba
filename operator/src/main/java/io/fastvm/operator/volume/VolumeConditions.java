package io.fastvm.operator.volume;

/** Condition types of a Volume (their shape and merging: {@code Conditions}). */
public final class VolumeConditions {
  private VolumeConditions() {}

  /** True once VMs can use the image; the reason says why not (Pending, Populating, Failed). */
  public static final String READY = "Ready";

  /** Clones and restores: whether the source (Volume or Snapshot) is there and Ready. */
  public static final String SOURCE_READY = "SourceReady";

  /** Present while VMs refer to the Volume; the message names them. */
  public static final String IN_USE = "InUse";

  /** Present while overlay clones are backed by it: read-only, and not deletable. */
  public static final String CLONE_BASE = "CloneBase";

  /** Present while spec.size is larger than the image: it grows when a VM next starts. */
  public static final String SIZE_PENDING = "SizePending";

  /** Present while the Volume is being deleted and something still needs it. */
  public static final String DELETION_BLOCKED = "DeletionBlocked";
}
