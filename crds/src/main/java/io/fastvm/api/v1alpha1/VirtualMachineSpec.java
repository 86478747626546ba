package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** The desired virtual machine. The operator never writes it; what it learns goes to status. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        VirtualMachineSpec.BOOT_ORDERS
            + ".all(x, "
            + VirtualMachineSpec.BOOT_ORDERS
            + ".exists_one(y, y == x))",
    message = "bootOrder values must be unique across disks and networks",
    fieldPath = ".disks")
@ValidationRule(
    value =
        "(has(self.disks) ? self.disks.filter(d, has(d.bus) ? d.bus == 'sata' : d.cdrom).size()"
            + " : 0) + (has(self.cloudInit) && has(self.cloudInit.bus) && self.cloudInit.bus =="
            + " 'sata' ? 1 : 0) <= 6",
    message =
        "at most 6 SATA devices (the ports of q35's AHCI controller), counting CD-ROMs on the"
            + " default bus and a cloud-init seed on sata: put more on scsi",
    fieldPath = ".disks")
@ValidationRule(
    value =
        "self.accelerator != 'tcg' || !has(self.cpu) || !has(self.cpu.model) ||"
            + " self.cpu.model != 'host'",
    message = "cpu model host needs KVM: with accelerator tcg use max or a named model",
    fieldPath = ".cpu.model")
@ValidationRule(
    value = "!has(self.networks) || self.networks.filter(n, n.type == 'nat').size() <= 1",
    message = "at most one nat network: a VM has one pod network",
    fieldPath = ".networks")
@ValidationRule(
    value =
        "!has(self.networks) || self.networks.all(n, !has(n.macAddress) ||"
            + " self.networks.exists_one(m, has(m.macAddress) && m.macAddress.lowerAscii() =="
            + " n.macAddress.lowerAscii()))",
    message = "MAC addresses must be unique",
    fieldPath = ".networks")
@ValidationRule(
    value =
        "!has(self.usbRedirection) || self.usbRedirection == 0 || (has(self.display) &&"
            + " has(self.display.spice) && self.display.spice)",
    message = "usbRedirection needs a SPICE display (display.spice: true)",
    fieldPath = ".usbRedirection")
@ValidationRule(
    value = "has(self.disks) && size(self.disks) > 0 || has(self.kernelBoot)",
    message = "a VM needs at least one disk or a kernelBoot section",
    fieldPath = ".disks",
    reason = "FieldValueRequired")
@ValidationRule(
    value =
        "!isQuantity(self.memory) || (quantity(self.memory).compareTo(quantity('64Mi')) >= 0 &&"
            + " quantity(self.memory).compareTo(quantity('4Ti')) <= 0)",
    message = "memory must be between 64Mi and 4Ti",
    fieldPath = ".memory")
@ValidationRule(
    value = "!isQuantity(self.memory) || quantity(self.memory).isInteger()",
    message = "memory must be a whole number of bytes",
    fieldPath = ".memory")
public record VirtualMachineSpec(
    @JsonPropertyDescription(
            "When the VM runs: Always, RerunOnFailure, Once, Manual or Halted. Start and stop by"
                + " changing it.")
        @Default("Always")
        RunStrategy runStrategy,
    @JsonPropertyDescription("vCPU topology and model. Default: 1 vCPU.") Cpu cpu,
    @JsonPropertyDescription("Guest memory, a quantity of at least 64Mi, e.g. 2Gi.")
        @Required
        @Pattern(Patterns.QUANTITY)
        @Size(max = 32)
        String memory,
    @JsonPropertyDescription("BIOS or UEFI, and Secure Boot. Default: BIOS.") Firmware firmware,
    @JsonPropertyDescription("An emulated TPM 2.0 with persistent state.") Tpm tpm,
    @JsonPropertyDescription("auto (KVM if it works, else TCG), kvm or tcg.") @Default("auto")
        Accelerator accelerator,
    @JsonPropertyDescription("Disks and CD-ROMs, each backed by a Volume. Names are unique.")
        @Size(max = 32)
        @ListMapKeys("name")
        List<Disk> disks,
    @JsonPropertyDescription("Boot a kernel and initrd from Volumes directly.")
        KernelBoot kernelBoot,
    @JsonPropertyDescription(
            "A CloudInitConfig whose NoCloud seed (labelled cidata) the guest sees on cloudInit.bus:"
                + " a read-only virtio disk by default.")
        CloudInitRef cloudInit,
    @JsonPropertyDescription(
            "NICs. Names are unique. Default: none (a VM without networks has no NIC).")
        @Size(max = 16)
        @ListMapKeys("name")
        List<Network> networks,
    @JsonPropertyDescription("Graphics adapter and remote screens. Default: qxl with VNC.")
        Display display,
    @JsonPropertyDescription("Number of SPICE USB redirection channels (needs SPICE).")
        @Min(0)
        @Max(8)
        Integer usbRedirection,
    @JsonPropertyDescription("Seconds the guest gets to power down (ACPI) before a hard stop.")
        @Default("180")
        @Min(0)
        @Max(3600)
        Long terminationGracePeriodSeconds,
    @JsonPropertyDescription("Node labels the VM pod must match.") Map<String, String> nodeSelector,
    @JsonPropertyDescription("Scheduling affinity of the VM pod.") Affinity affinity,
    @JsonPropertyDescription("Tolerations of the VM pod.") List<Toleration> tolerations,
    @JsonPropertyDescription("PriorityClass of the VM pod.") @Size(max = 253)
        String priorityClassName) {

  /** CEL: the boot orders of all disks and networks that have one. */
  static final String BOOT_ORDERS =
      "((has(self.disks) ? self.disks.filter(d, has(d.bootOrder)).map(d, d.bootOrder) : []) +"
          + " (has(self.networks) ? self.networks.filter(n, has(n.bootOrder)).map(n, n.bootOrder)"
          + " : []))";

  public RunStrategy effectiveRunStrategy() {
    return runStrategy == null ? RunStrategy.ALWAYS : runStrategy;
  }

  public Accelerator effectiveAccelerator() {
    return accelerator == null ? Accelerator.AUTO : accelerator;
  }

  public Cpu effectiveCpu() {
    return cpu == null ? new Cpu(1, 1, 1, null) : cpu;
  }

  public Firmware effectiveFirmware() {
    return firmware == null ? new Firmware(FirmwareType.BIOS, false) : firmware;
  }

  public boolean tpmEnabled() {
    return tpm != null && tpm.active();
  }

  public Display effectiveDisplay() {
    return display == null ? Display.defaults() : display;
  }

  public List<Disk> disksOrEmpty() {
    return disks == null ? List.of() : disks;
  }

  public List<Network> networksOrEmpty() {
    return networks == null ? List.of() : networks;
  }

  public int usbRedirectionChannels() {
    return usbRedirection == null ? 0 : usbRedirection;
  }

  public long gracePeriodSeconds() {
    return terminationGracePeriodSeconds == null ? 180 : terminationGracePeriodSeconds;
  }
}
