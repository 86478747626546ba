package io.fastvm.console.target;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.Display;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;

/**
 * Finds a running VM's pod: the VM must say Running and name its pod, and that pod must be owned by
 * this very VM (same UID), be Running and have an IP. Blocking.
 */
public final class TargetResolver {
  private final KubernetesClient client;

  public TargetResolver(KubernetesClient client) {
    this.client = client;
  }

  public TargetLookup resolve(String namespace, String name) {
    VirtualMachine vm =
        client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).get();
    if (vm == null) {
      return TargetLookup.notFound("no VirtualMachine " + namespace + "/" + name);
    }
    VirtualMachineStatus status = vm.getStatus();
    if (status == null
        || status.printableStatus() != PrintableStatus.RUNNING
        || status.podName() == null) {
      String printable =
          status == null || status.printableStatus() == null
              ? "no status"
              : status.printableStatus().name().toLowerCase();
      return TargetLookup.notRunning("VM is not running (" + printable + ")");
    }
    Pod pod = client.pods().inNamespace(namespace).withName(status.podName()).get();
    String uid = vm.getMetadata().getUid();
    if (pod == null || !ownedBy(pod, uid)) {
      return TargetLookup.notRunning("the VM's pod is gone");
    }
    if (pod.getStatus() == null
        || !"Running".equals(pod.getStatus().getPhase())
        || pod.getStatus().getPodIP() == null
        || pod.getStatus().getPodIP().isEmpty()) {
      return TargetLookup.notRunning("the VM's pod is not running");
    }
    Display display = vm.getSpec() != null ? vm.getSpec().effectiveDisplay() : Display.defaults();
    return TargetLookup.running(
        new VmTarget(
            namespace,
            name,
            uid,
            pod.getMetadata().getName(),
            pod.getStatus().getPodIP(),
            display.vncEnabled(),
            display.spiceEnabled()));
  }

  private static boolean ownedBy(Pod pod, String uid) {
    if (uid == null || pod.getMetadata().getOwnerReferences() == null) {
      return false;
    }
    for (OwnerReference owner : pod.getMetadata().getOwnerReferences()) {
      if (uid.equals(owner.getUid()) && "VirtualMachine".equals(owner.getKind())) {
        return true;
      }
    }
    return false;
  }
}
