package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fastvm.api.v1alpha1.Accelerator;
import io.fastvm.api.v1alpha1.Display;
import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.NetworkType;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.contract.DeviceResource;
import io.fastvm.operator.config.MemoryOverhead;
import io.fastvm.operator.config.OperatorSettings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The resources a VM pod requests: guest memory plus the overhead formula of docs/operator.md, CPU
 * per vCPU, and device-plugin resources instead of privileges.
 */
public final class VmResources {
  private VmResources() {}

  public static final String KVM = DeviceResource.KVM.resourceName();
  public static final String TUN = DeviceResource.TUN.resourceName();
  public static final String VHOST_NET = DeviceResource.VHOST_NET.resourceName();

  private static final BigDecimal MIB = new BigDecimal(1024 * 1024);

  /** Guest memory in MiB, rounded up. */
  public static long guestMiB(VirtualMachineSpec spec) {
    BigDecimal bytes = Quantity.getAmountInBytes(new Quantity(spec.memory()));
    return bytes.divide(MIB, 0, RoundingMode.CEILING).longValueExact();
  }

  /** Whether the pod asks the device plugin for /dev/kvm. */
  public static boolean requestsKvm(VirtualMachineSpec spec, OperatorSettings settings) {
    Accelerator accelerator = spec.effectiveAccelerator();
    return accelerator == Accelerator.KVM
        || (accelerator == Accelerator.AUTO && settings.requestKvmForAuto());
  }

  /**
   * Bridge NICs open a tap device the node agent made in the pod, through /dev/net/tun; nat and
   * isolated ones do not. vhost-net is not asked for until QEMU uses it (vhost=on): the device
   * plugin reports it unhealthy on nodes without /dev/vhost-net, and the pod would never schedule.
   */
  public static boolean needsTap(VirtualMachineSpec spec) {
    for (Network network : spec.networksOrEmpty()) {
      NetworkType type = network.effectiveType();
      if (type.usesMultus()) {
        return true;
      }
    }
    return false;
  }

  /** Memory the pod needs beyond guest memory, in MiB. */
  public static long overheadMiB(VirtualMachineSpec spec, OperatorSettings settings) {
    MemoryOverhead o = settings.overhead();
    long guest = guestMiB(spec);
    long overhead = o.launcherMiB() + o.qemuBaseMiB();
    overhead += (long) o.perVcpuMiB() * spec.effectiveCpu().vcpus();
    overhead += (guest + o.pageTableDivisor() - 1) / o.pageTableDivisor();
    overhead += videoMiB(spec.effectiveDisplay());
    if (spec.effectiveFirmware().uefi()) {
      overhead += o.uefiMiB();
    }
    if (spec.tpmEnabled()) {
      overhead += o.tpmMiB();
    }
    if (!requestsKvm(spec, settings)) {
      overhead += o.tcgMiB();
    }
    return overhead;
  }

  /** Video memory QEMU allocates for the display adapter. */
  static long videoMiB(Display display) {
    return switch (display.effectiveType()) {
      // QXL has a RAM bar and a VRAM bar, both vramMiB (default 64) in size.
      case QXL -> 2L * display.effectiveVramMiB();
      case VGA -> display.effectiveVramMiB();
      case VIRTIO -> 16;
      case NONE -> 0;
    };
  }

  public static Map<String, Quantity> requests(VirtualMachineSpec spec, OperatorSettings settings) {
    Map<String, Quantity> requests = new LinkedHashMap<>();
    long vcpus = spec.effectiveCpu().vcpus();
    requests.put("cpu", new Quantity(vcpus * settings.cpuMillisPerVcpu() + "m"));
    requests.put("memory", new Quantity((guestMiB(spec) + overheadMiB(spec, settings)) + "Mi"));
    requests.putAll(devices(spec, settings));
    return requests;
  }

  /** Extended resources must have limit = request; CPU and memory limits are optional. */
  public static Map<String, Quantity> limits(VirtualMachineSpec spec, OperatorSettings settings) {
    Map<String, Quantity> limits = new LinkedHashMap<>();
    Map<String, Quantity> requests = requests(spec, settings);
    if (settings.cpuLimits()) {
      // One core per vCPU, never below the request (a limit under it is rejected).
      long vcpus = spec.effectiveCpu().vcpus();
      limits.put("cpu", new Quantity(vcpus * Math.max(1000, settings.cpuMillisPerVcpu()) + "m"));
    }
    if (settings.memoryLimits()) {
      limits.put("memory", requests.get("memory"));
    }
    limits.putAll(devices(spec, settings));
    return limits;
  }

  private static Map<String, Quantity> devices(VirtualMachineSpec spec, OperatorSettings settings) {
    Map<String, Quantity> devices = new LinkedHashMap<>();
    if (requestsKvm(spec, settings)) {
      devices.put(KVM, new Quantity("1"));
    }
    if (needsTap(spec)) {
      devices.put(TUN, new Quantity("1"));
    }
    return devices;
  }
}
