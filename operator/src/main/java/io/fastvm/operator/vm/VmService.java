package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.NetworkType;
import io.fastvm.api.v1alpha1.Port;
import io.fastvm.api.v1alpha1.PortProtocol;
import io.fastvm.api.v1alpha1.VirtualMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Service of a VM's forwarded ports (nat networks): servicePort → the pod's port = the guest
 * port, which the launcher forwards into the guest. It exists while the spec forwards ports,
 * whether or not the VM runs, so its ClusterIP stays the same across restarts.
 */
public final class VmService {
  private VmService() {}

  public static Optional<Service> desired(VirtualMachine vm) {
    List<ServicePort> ports = new ArrayList<>();
    for (Network network : vm.getSpec().networksOrEmpty()) {
      if (network.effectiveType() != NetworkType.NAT) {
        continue;
      }
      for (Port port : network.portsOrEmpty()) {
        if (port.port() == null) {
          continue;
        }
        PortProtocol protocol = port.effectiveProtocol();
        String name =
            port.name() != null
                ? port.name()
                : protocol.name().toLowerCase(Locale.ROOT) + "-" + port.exposedPort();
        ports.add(
            new ServicePortBuilder()
                .withName(name)
                .withProtocol(protocol.name())
                .withPort(port.exposedPort())
                .withTargetPort(new IntOrString(port.port()))
                .build());
      }
    }
    if (ports.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ServiceBuilder()
            .withNewMetadata()
            .withName(VmNames.service(vm))
            .withNamespace(vm.getMetadata().getNamespace())
            .withLabels(VmMetadata.labels(vm, "ports"))
            .withOwnerReferences(VmMetadata.controllerReference(vm))
            .endMetadata()
            .withNewSpec()
            .withType("ClusterIP")
            .withSelector(Map.of(VmMetadata.VM_UID_LABEL, vm.getMetadata().getUid()))
            .withPorts(ports)
            .endSpec()
            .build());
  }

  /** Whether the observed Service already has the desired ports and selector. */
  public static boolean upToDate(Service observed, Service desired) {
    if (observed.getSpec() == null) {
      return false;
    }
    return Objects.equals(observed.getSpec().getSelector(), desired.getSpec().getSelector())
        && portsKey(observed.getSpec().getPorts()).equals(portsKey(desired.getSpec().getPorts()));
  }

  private static List<String> portsKey(List<ServicePort> ports) {
    if (ports == null) {
      return List.of();
    }
    return ports.stream()
        .map(
            p ->
                p.getName()
                    + "/"
                    + (p.getProtocol() == null ? "TCP" : p.getProtocol())
                    + "/"
                    + p.getPort()
                    + "/"
                    + (p.getTargetPort() == null ? "" : p.getTargetPort().getIntVal()))
        .sorted()
        .toList();
  }
}
