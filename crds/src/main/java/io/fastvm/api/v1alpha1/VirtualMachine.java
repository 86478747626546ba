package io.fastvm.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A virtual machine that runs as one QEMU pod. */
@Group(VirtualMachine.GROUP)
@Version(VirtualMachine.VERSION)
@Kind("VirtualMachine")
@Plural("virtualmachines")
@Singular("virtualmachine")
@ShortNames({"fvm", "fvms"})
@AdditionalPrinterColumn(name = "Status", jsonPath = ".status.printableStatus")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".status.nodeName")
@AdditionalPrinterColumn(name = "IP", jsonPath = ".status.ipAddress")
@AdditionalPrinterColumn(
    name = "CPUs",
    jsonPath = ".status.vcpus",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Memory", jsonPath = ".spec.memory")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Strategy", jsonPath = ".spec.runStrategy", priority = 1)
@AdditionalPrinterColumn(name = "Pod", jsonPath = ".status.podName", priority = 1)
public class VirtualMachine extends CustomResource<VirtualMachineSpec, VirtualMachineStatus>
    implements Namespaced {

  public static final String GROUP = "fastvm.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;

  /**
   * Setting this annotation to a new value (a timestamp, like {@code kubectl rollout restart})
   * restarts a running VM once; the value acted on is kept in {@code status.restartedAt}.
   */
  public static final String RESTART_ANNOTATION = "fastvm.io/restartedAt";

  public VirtualMachine() {}

  public VirtualMachine(String namespace, String name, VirtualMachineSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }
}
