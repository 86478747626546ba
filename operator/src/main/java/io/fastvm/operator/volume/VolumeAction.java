package io.fastvm.operator.volume;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** What a Volume reconcile changes in the cluster. */
public sealed interface VolumeAction {
  record CreateClaim(PersistentVolumeClaim claim) implements VolumeAction {}

  /** Asks for more storage (the storage class must allow volume expansion). */
  record GrowClaim(String name, Quantity size) implements VolumeAction {}

  record CreateJob(Job job) implements VolumeAction {}

  /** The Job did its work (its result is in the status): it and its pod go. */
  record DeleteJob(String name) implements VolumeAction {}
}
