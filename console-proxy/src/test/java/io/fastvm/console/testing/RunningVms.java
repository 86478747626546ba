package io.fastvm.console.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.Disk;
import io.fastvm.api.v1alpha1.Display;
import io.fastvm.api.v1alpha1.DisplayType;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.api.v1alpha1.VmPhase;
import java.util.List;
import java.util.Map;

/**
 * A running VM as the operator and the kubelet would leave it in the API (mock or real): the VM
 * with status Running naming its pod, and that pod Running at a pod IP.
 */
public final class RunningVms {
  private RunningVms() {}

  public static VirtualMachine create(
      KubernetesClient client, String namespace, String name, String podIp, boolean spice) {
    VirtualMachine vm =
        new VirtualMachine(
            namespace,
            name,
            new VirtualMachineSpec(
                null,
                null,
                "256Mi",
                null,
                null,
                null,
                List.of(new Disk("root", "root", null, false, false, 1, null, null, true)),
                null,
                null,
                null,
                new Display(DisplayType.VGA, null, true, spice),
                null,
                null,
                null,
                null,
                null,
                null));
    String podName = "virt-launcher-" + name;
    vm.setStatus(status(PrintableStatus.RUNNING, VmPhase.RUNNING, podName));
    VirtualMachine created = client.resource(vm).create();
    if (created.getStatus() == null) {
      // A real server ignores status on create: it is the status subresource's, as the operator
      // writes it.
      created.setStatus(vm.getStatus());
      created = client.resource(created).updateStatus();
    }
    Pod pod =
        new PodBuilder()
            .withMetadata(
                new ObjectMetaBuilder()
                    .withNamespace(namespace)
                    .withName(podName)
                    .withOwnerReferences(
                        new OwnerReferenceBuilder()
                            .withApiVersion(VirtualMachine.API_VERSION)
                            .withKind("VirtualMachine")
                            .withName(name)
                            .withUid(created.getMetadata().getUid())
                            .withController(true)
                            .build())
                    .build())
            .withNewSpec()
            .addNewContainer()
            .withName("launcher")
            .withImage("fastvm/node-agent")
            .endContainer()
            .endSpec()
            .build();
    client.resource(pod).create();
    // What the kubelet reports.
    client
        .pods()
        .inNamespace(namespace)
        .withName(podName)
        .subresource("status")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            client
                .getKubernetesSerialization()
                .asJson(
                    Map.of(
                        "status",
                        new PodStatusBuilder().withPhase("Running").withPodIP(podIp).build())));
    return created;
  }

  static VirtualMachineStatus status(PrintableStatus printable, VmPhase phase, String podName) {
    return new VirtualMachineStatus(
        phase, printable, null, "node-1", podName, null, null, null, 1, null, null, null, 1L);
  }
}
