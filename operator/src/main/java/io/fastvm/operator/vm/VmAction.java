package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;

/** A change the reconciler makes to the cluster, decided by {@link VmPlanner}. */
public sealed interface VmAction {

  record CreateStatePvc(PersistentVolumeClaim claim) implements VmAction {}

  record CreatePod(Pod pod) implements VmAction {}

  /** Create or update the VM's cloud-init seed Secret ({@link VmSeed}). */
  record WriteSeed(Secret seed) implements VmAction {}

  /**
   * Delete a pod. Graceful (the pod's grace period: the launcher powers the guest down) unless
   * {@code force}, which is only used for pods on lost nodes.
   */
  record DeletePod(String name, String why, boolean force) implements VmAction {}

  record CreateService(Service service) implements VmAction {}

  record UpdateService(Service service) implements VmAction {}

  record DeleteService(String name) implements VmAction {}
}
