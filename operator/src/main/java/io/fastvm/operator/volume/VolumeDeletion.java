package io.fastvm.operator.volume;

import io.fastvm.api.v1alpha1.VolumeStatus;
import io.fastvm.operator.status.Conditions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a Volume being deleted may go: not while a VM refers to it (its disk would vanish under
 * it) nor while overlay clones are backed by it (they would lose their base).
 */
public final class VolumeDeletion {
  private VolumeDeletion() {}

  /** Why the deletion waits, or empty if nothing needs the Volume any more. */
  public static Optional<String> blockedBy(VolumeObserved observed) {
    List<String> reasons = new ArrayList<>();
    if (!observed.users().isEmpty()) {
      reasons.add(
          "used by "
              + VolumePlanner.names("VirtualMachine", observed.users())
              + " (remove the disk from their specs)");
    }
    if (!observed.overlayClones().isEmpty()) {
      reasons.add(
          "backs "
              + VolumePlanner.countedNames("overlay clone", observed.overlayClones())
              + " (delete them, or make full copies first)");
    }
    return reasons.isEmpty()
        ? Optional.empty()
        : Optional.of("deletion waits: " + String.join("; ", reasons));
  }

  /** The status while the deletion waits: as before, with DeletionBlocked saying why. */
  public static VolumeStatus blockedStatus(VolumeObserved observed, String why) {
    VolumeStatus old = observed.volume().getStatus();
    List<Conditions.Wanted> wanted = new ArrayList<>();
    if (old != null && old.conditions() != null) {
      old.conditions().stream()
          .filter(c -> !VolumeConditions.DELETION_BLOCKED.equals(c.getType()))
          .forEach(
              c ->
                  wanted.add(
                      new Conditions.Wanted(
                          c.getType(),
                          "True".equals(c.getStatus()),
                          c.getReason(),
                          c.getMessage())));
    }
    wanted.add(new Conditions.Wanted(VolumeConditions.DELETION_BLOCKED, true, "InUse", why));
    var conditions =
        Conditions.merge(
            old == null ? null : old.conditions(),
            wanted,
            observed.now(),
            observed.volume().getMetadata().getGeneration());
    return old == null
        ? new VolumeStatus(null, null, null, null, null, null, null, null, null, conditions, null)
        : new VolumeStatus(
            old.phase(),
            old.progress(),
            old.progressBytes(),
            old.claimName(),
            old.imagePath(),
            old.format(),
            old.virtualSize(),
            old.allocatedSize(),
            old.backingVolume(),
            conditions,
            old.observedGeneration());
  }
}
