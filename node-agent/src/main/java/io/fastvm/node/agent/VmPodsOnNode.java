package io.fastvm.node.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fastvm.contract.PodLayout;
import java.util.function.Consumer;

/** The informer of the VM pods on one node, which the agent's loops read from its store. */
final class VmPodsOnNode {
  private VmPodsOnNode() {}

  /**
   * @param deleted called with the uid of each pod deleted, so a loop forgets what it kept for it
   */
  static SharedIndexInformer<Pod> inform(
      KubernetesClient client, String nodeName, Consumer<String> deleted) {
    return client
        .pods()
        .inAnyNamespace()
        .withLabel(PodLayout.VM_UID_LABEL)
        .withField("spec.nodeName", nodeName)
        .inform(
            new ResourceEventHandler<>() {
              @Override
              public void onAdd(Pod pod) {}

              @Override
              public void onUpdate(Pod old, Pod pod) {}

              @Override
              public void onDelete(Pod pod, boolean unknownFinalState) {
                deleted.accept(pod.getMetadata().getUid());
              }
            });
  }
}
