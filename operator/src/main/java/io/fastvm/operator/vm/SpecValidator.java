package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fastvm.api.v1alpha1.Accelerator;
import io.fastvm.api.v1alpha1.Disk;
import io.fastvm.api.v1alpha1.DiskBus;
import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.NetworkType;
import io.fastvm.api.v1alpha1.Port;
import io.fastvm.api.v1alpha1.PortProtocol;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.contract.PodLayout;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the combinations the CRD schema is meant to reject, for objects that slipped past it (an
 * older CRD, a cluster without CEL validation, a hand-edited etcd). A VM with problems is not
 * started; its status says why.
 */
public final class SpecValidator {
  private SpecValidator() {}

  private static final BigDecimal MIN_MEMORY = new BigDecimal(64L * 1024 * 1024);

  public static List<String> problems(VirtualMachineSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return List.of("the VM has no spec");
    }
    checkMemory(spec, problems);
    checkDisks(spec, problems);
    checkNetworks(spec, problems);
    if (spec.effectiveFirmware().secureBootEnabled() && !spec.effectiveFirmware().uefi()) {
      problems.add("firmware.secureBoot needs firmware.type uefi");
    }
    if (spec.usbRedirectionChannels() > 0 && !spec.effectiveDisplay().spiceEnabled()) {
      problems.add("usbRedirection needs a SPICE display (display.spice: true)");
    }
    String model = spec.effectiveCpu().model();
    if ("host".equals(model) && spec.effectiveAccelerator() == Accelerator.TCG) {
      problems.add("cpu.model host needs KVM, but accelerator is tcg");
    }
    return problems;
  }

  private static void checkMemory(VirtualMachineSpec spec, List<String> problems) {
    if (spec.memory() == null) {
      problems.add("memory is required");
      return;
    }
    try {
      BigDecimal bytes = Quantity.getAmountInBytes(new Quantity(spec.memory()));
      if (bytes.compareTo(MIN_MEMORY) < 0) {
        problems.add("memory must be at least 64Mi, is " + spec.memory());
      }
    } catch (RuntimeException e) {
      problems.add("memory " + spec.memory() + " is not a quantity");
    }
  }

  private static void checkDisks(VirtualMachineSpec spec, List<String> problems) {
    List<Disk> disks = spec.disksOrEmpty();
    if (disks.isEmpty() && spec.kernelBoot() == null) {
      problems.add("a VM needs at least one disk or a kernelBoot section");
    }
    Set<String> names = new HashSet<>();
    Map<String, Integer> writersByVolume = new HashMap<>();
    Map<String, Integer> usesByVolume = new HashMap<>();
    Set<Integer> bootOrders = new HashSet<>();
    for (Disk disk : disks) {
      if (!names.add(disk.name())) {
        problems.add("disk name " + disk.name() + " is used twice");
      }
      if (disk.isCdromDisk() && disk.bus() == DiskBus.VIRTIO) {
        problems.add("disk " + disk.name() + ": a CD-ROM needs bus sata or scsi");
      }
      if (disk.bootOrder() != null && !bootOrders.add(disk.bootOrder())) {
        problems.add("bootOrder " + disk.bootOrder() + " is used twice");
      }
      usesByVolume.merge(disk.volume(), 1, Integer::sum);
      if (!disk.isReadOnlyDisk()) {
        writersByVolume.merge(disk.volume(), 1, Integer::sum);
      }
    }
    usesByVolume.forEach(
        (volume, uses) -> {
          if (uses > 1 && writersByVolume.getOrDefault(volume, 0) > 0) {
            problems.add(
                "Volume "
                    + volume
                    + " backs "
                    + uses
                    + " disks; only read-only disks may share a Volume");
          }
        });
  }

  private static void checkNetworks(VirtualMachineSpec spec, List<String> problems) {
    Set<String> names = new HashSet<>();
    Set<String> guestPorts = new HashSet<>();
    Set<String> servicePorts = new HashSet<>();
    Set<String> portNames = new HashSet<>();
    long nat =
        spec.networksOrEmpty().stream().filter(n -> n.effectiveType() == NetworkType.NAT).count();
    if (nat > 1) {
      problems.add("at most one nat network: a VM has one pod network");
    }
    for (Network network : spec.networksOrEmpty()) {
      if (!names.add(network.name())) {
        problems.add("network name " + network.name() + " is used twice");
      }
      NetworkType type = network.effectiveType();
      boolean multus = type.usesMultus();
      if (multus && blank(network.networkAttachment())) {
        problems.add(
            "network " + network.name() + ": " + typeName(type) + " needs networkAttachment");
      } else if (type == NetworkType.MACVTAP) {
        // The pod would be scheduled only for the launcher to refuse it (exit code 2): say so now.
        problems.add(
            "network "
                + network.name()
                + ": type macvtap is not supported yet; use bridge, nat or isolated");
      }
      if (!multus && !blank(network.networkAttachment())) {
        problems.add(
            "network "
                + network.name()
                + ": networkAttachment is only used by bridge and macvtap networks");
      }
      if (type != NetworkType.NAT && !network.portsOrEmpty().isEmpty()) {
        problems.add("network " + network.name() + ": ports can only be forwarded on nat networks");
        continue;
      }
      for (Port port : network.portsOrEmpty()) {
        PortProtocol protocol = port.effectiveProtocol();
        if (port.port() == null) {
          problems.add("network " + network.name() + ": a forwarded port needs port");
          continue;
        }
        // In a pod every nat network forwards from the pod's own address, port = guest port.
        if (!guestPorts.add(protocol + "/" + port.port())) {
          problems.add("guest port " + protocol + "/" + port.port() + " is forwarded twice");
        }
        if (!servicePorts.add(protocol + "/" + port.exposedPort())) {
          problems.add("service port " + protocol + "/" + port.exposedPort() + " is used twice");
        }
        if (protocol == PortProtocol.TCP && port.port() == PodLayout.CONSOLE_PORT) {
          problems.add(
              "guest port TCP/"
                  + PodLayout.CONSOLE_PORT
                  + " cannot be forwarded: the pod's console endpoint uses it");
        }
        if ("console".equals(port.name())) {
          problems.add("port name console is reserved for the pod's console endpoint");
        }
        if (port.name() != null && !portNames.add(port.name())) {
          problems.add("port name " + port.name() + " is used twice");
        }
      }
    }
  }

  private static String typeName(NetworkType type) {
    return type.name().toLowerCase();
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
