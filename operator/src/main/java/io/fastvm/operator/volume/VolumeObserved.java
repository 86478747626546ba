package io.fastvm.operator.volume;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fastvm.api.v1alpha1.Volume;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a Volume reconcile saw, for {@link VolumePlanner}.
 *
 * @param claim the Volume's PVC, if it exists (and is the Volume's own)
 * @param job the populate Job, if it exists
 * @param jobPod the newest pod of that Job
 * @param progressLine the last line the populator printed, when the pod's log could be read
 * @param source for a clone: the source Volume, if it exists
 * @param users names of the VMs whose spec refers to this Volume
 * @param overlayClones names of the Volumes that are overlay clones of this one
 */
public record VolumeObserved(
    Volume volume,
    Optional<PersistentVolumeClaim> claim,
    Optional<Job> job,
    Optional<Pod> jobPod,
    Optional<String> progressLine,
    Optional<Volume> source,
    List<String> users,
    List<String> overlayClones,
    Instant now) {

  public VolumeObserved {
    users = List.copyOf(users);
    overlayClones = List.copyOf(overlayClones);
  }
}
