package io.fastvm.node.launcher;

import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.Cpu;
import io.fastvm.api.v1alpha1.Disk;
import io.fastvm.api.v1alpha1.DiskBus;
import io.fastvm.api.v1alpha1.Display;
import io.fastvm.api.v1alpha1.DisplayType;
import io.fastvm.api.v1alpha1.Firmware;
import io.fastvm.api.v1alpha1.KernelBoot;
import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.cloudinit.NoCloudRenderer;
import io.fastvm.cloudinit.NoCloudSeed;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.node.cloudinit.SeedIso;
import io.fastvm.node.firmware.Ovmf;
import io.fastvm.node.firmware.UefiFirmware;
import io.fastvm.node.manifest.ManifestSet;
import io.fastvm.node.network.NicAttachment;
import io.fastvm.node.network.NicBackend;
import io.fastvm.node.network.NicPlanner;
import io.fastvm.node.qemu.AcceleratorChoice;
import io.fastvm.node.qemu.DiskAttachment;
import io.fastvm.node.qemu.DisplaySetup;
import io.fastvm.node.qemu.KernelFiles;
import io.fastvm.node.qemu.QemuCommandBuilder;
import io.fastvm.node.qemu.QemuInputs;
import io.fastvm.node.tpm.Swtpm;
import io.fastvm.node.volume.ImageChange;
import io.fastvm.node.volume.ResolvedVolume;
import io.fastvm.node.volume.VolumeResolver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the VM against the host and the bound files and decides everything the launcher will do.
 * Reads only: when it finds problems it reports all of them and nothing has been changed.
 */
public final class LaunchPlanner {
  /** QEMU's device id of a VM disk is this and the disk's name (the metrics read it back). */
  public static final String DISK_DEVICE_PREFIX = "disk-";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private final HostTools tools;
  private final Ovmf ovmf;

  public LaunchPlanner(HostTools tools, Ovmf ovmf) {
    this.tools = tools;
    this.ovmf = ovmf;
  }

  public LaunchPlan plan(
      ManifestSet manifests, LauncherInvocation invocation, AcceleratorChoice accelerator)
      throws LaunchException {
    List<String> problems = new ArrayList<>();
    VirtualMachineSpec spec = manifests.spec();
    String vmId = manifests.namespace() + "/" + manifests.name();
    RuntimeFiles runtime = new RuntimeFiles(invocation.runtimeDir());

    if (invocation.stateDir() == null) {
      problems.add("--state-dir is required");
    }
    if (invocation.runtimeDir() == null) {
      problems.add("--runtime-dir is required");
    }
    if (tools.qemu().isEmpty()) {
      problems.add("qemu-system-x86_64 is not installed (Debian package qemu-system-x86)");
    }

    // CPU and memory
    Cpu cpu = spec.effectiveCpu();
    OptionalLong memory = MemorySize.mebibytes(spec.memory());
    if (memory.isEmpty()) {
      problems.add("memory " + spec.memory() + " is not a quantity such as 512Mi or 2Gi");
    } else if (memory.getAsLong() < 64) {
      problems.add("memory " + spec.memory() + " is below 64Mi");
    }

    // Firmware
    Firmware firmware = spec.effectiveFirmware();
    UefiFirmware uefi = null;
    if (firmware.secureBootEnabled() && !firmware.uefi()) {
      problems.add("firmware.secureBoot needs firmware type uefi (SeaBIOS has no Secure Boot)");
    } else if (firmware.uefi() && invocation.stateDir() != null) {
      uefi =
          ovmf.locate(invocation.stateDir(), firmware.secureBootEnabled(), problems).orElse(null);
    }

    // TPM
    Path tpmStateDir = null;
    if (spec.tpmEnabled()) {
      if (tools.swtpm().isEmpty()) {
        problems.add("tpm: swtpm is not installed (Debian packages swtpm and swtpm-tools)");
      }
      if (invocation.stateDir() != null) {
        tpmStateDir = invocation.stateDir().resolve(Swtpm.STATE_SUBDIR);
        Swtpm.checkPath("--state-dir", invocation.stateDir(), problems);
      }
      if (invocation.runtimeDir() != null) {
        Swtpm.checkPath("--runtime-dir", invocation.runtimeDir(), problems);
      }
    }

    // Disks
    VolumeResolver volumes = new VolumeResolver(manifests, invocation.volumes());
    List<DiskAttachment> disks = new ArrayList<>();
    List<ImageChange> imageChanges = new ArrayList<>();
    Map<String, String> backings = new HashMap<>();
    Set<String> names = new HashSet<>();
    Map<String, String> writers = new HashMap<>();
    Map<String, String> readers = new HashMap<>();
    Set<Integer> bootOrders = new HashSet<>();
    for (Disk disk : spec.disksOrEmpty()) {
      String what = "disk " + disk.name();
      if (disk.name() == null || !DNS_LABEL.matcher(disk.name()).matches()) {
        problems.add("disk name " + disk.name() + " must be a DNS label (a-z, 0-9, -)");
        continue;
      }
      if (!names.add(disk.name())) {
        problems.add(what + ": the name is used twice");
      }
      if (disk.volume() == null) {
        problems.add(what + ": no volume");
        continue;
      }
      if (disk.isCdromDisk() && disk.bus() == DiskBus.VIRTIO) {
        problems.add(what + ": a CD-ROM needs bus sata or scsi (virtio-blk cannot be a CD-ROM)");
      }
      if (disk.isCdromDisk() && Boolean.FALSE.equals(disk.readOnly())) {
        problems.add(what + ": a CD-ROM is always read-only; remove readOnly: false");
      }
      if (!disk.isCdromDisk()
          && Boolean.TRUE.equals(disk.readOnly())
          && disk.effectiveBus() == DiskBus.SATA) {
        problems.add(
            what
                + ": a read-only SATA disk is not possible (QEMU's AHCI disks are always"
                + " writable); use bus virtio or scsi, or attach it as a CD-ROM");
      }
      if (disk.bootOrder() != null && !bootOrders.add(disk.bootOrder())) {
        problems.add(what + ": bootOrder " + disk.bootOrder() + " is used twice");
      }
      boolean writable = !disk.isReadOnlyDisk();
      String other = writers.get(disk.volume());
      if (other != null) {
        problems.add(
            what + ": Volume " + disk.volume() + " is already attached writable by " + other);
      } else if (writable && readers.containsKey(disk.volume())) {
        problems.add(
            what
                + ": Volume "
                + disk.volume()
                + " is also attached read-only by "
                + readers.get(disk.volume())
                + "; a Volume is either writable by one disk or read-only");
      }
      (writable ? writers : readers).put(disk.volume(), what);
      Optional<ResolvedVolume> resolved = volumes.resolve(disk.volume(), what, writable, problems);
      resolved.ifPresent(
          v ->
              disks.add(
                  new DiskAttachment(
                      DISK_DEVICE_PREFIX + disk.name(),
                      v.file(),
                      v.format(),
                      disk.effectiveBus(),
                      disk.isCdromDisk(),
                      disk.isReadOnlyDisk(),
                      disk.bootOrder(),
                      disk.serial(),
                      disk.cache(),
                      !Boolean.FALSE.equals(disk.discard()),
                      v.directIo(),
                      v.backing() == null ? null : v.backing().file(),
                      v.backing() == null ? null : v.backing().format())));
      resolved.map(ResolvedVolume::change).ifPresent(imageChanges::add);
      resolved.map(ResolvedVolume::backing).ifPresent(base -> backings.put(base.name(), what));
    }
    backings.forEach(
        (base, clone) -> {
          if (writers.containsKey(base)) {
            problems.add(
                clone
                    + ": Volume "
                    + base
                    + " backs this overlay clone and must not be written, but "
                    + writers.get(base)
                    + " attaches it writable");
          }
        });
    if (!imageChanges.isEmpty() && tools.qemuImg().isEmpty()) {
      problems.add("disks: qemu-img is not installed (Debian package qemu-utils)");
    }

    // Kernel boot
    KernelFiles kernelFiles = null;
    KernelBoot kernelBoot = spec.kernelBoot();
    if (kernelBoot != null) {
      if (kernelBoot.kernel() == null) {
        problems.add("kernelBoot: no kernel Volume");
      } else {
        Optional<ResolvedVolume> kernel =
            volumes.resolve(kernelBoot.kernel(), "kernelBoot.kernel", false, problems);
        Optional<ResolvedVolume> initrd =
            kernelBoot.initrd() == null
                ? Optional.empty()
                : volumes.resolve(kernelBoot.initrd(), "kernelBoot.initrd", false, problems);
        for (Optional<ResolvedVolume> v : List.of(kernel, initrd)) {
          v.filter(r -> r.format() != VolumeFormat.RAW)
              .ifPresent(
                  r ->
                      problems.add(
                          "kernelBoot: Volume " + r.name() + " must be format raw (a plain file)"));
        }
        if (kernel.isPresent()) {
          kernelFiles =
              new KernelFiles(
                  kernel.get().file(),
                  initrd.map(ResolvedVolume::file).orElse(null),
                  kernelBoot.cmdline());
        }
      }
    }
    if (spec.disksOrEmpty().isEmpty() && kernelBoot == null) {
      problems.add("the VM has no disk and no kernelBoot: there is nothing to boot");
    }

    // Networks
    List<NicAttachment> nics =
        new NicPlanner(
                invocation.natBindAddress() == null ? "127.0.0.1" : invocation.natBindAddress(),
                invocation.natHostPorts(),
                invocation.natBackend(),
                invocation.runtimeDir())
            .plan(manifests.namespace(), manifests.name(), spec.networksOrEmpty(), problems);
    if (nics.stream().anyMatch(n -> n.backend() instanceof NicBackend.Passt)
        && tools.passt().isEmpty()) {
      problems.add(
          "--nat-backend=passt: passt is not installed (Debian package passt; or set"
              + " FASTVM_PASST); use --nat-backend=slirp");
    }
    for (Network network : spec.networksOrEmpty()) {
      if (network.bootOrder() != null && !bootOrders.add(network.bootOrder())) {
        problems.add(
            "network " + network.name() + ": bootOrder " + network.bootOrder() + " is used twice");
      }
    }

    // Cloud-init
    NoCloudSeed renderedSeed = null;
    Path seedDir = invocation.cloudInitSeed();
    if (seedDir != null) {
      SeedIso.check(seedDir, problems);
    } else if (spec.cloudInit() != null) {
      CloudInitConfigSpec config = manifests.cloudInitConfigs().get(spec.cloudInit().name());
      if (config == null) {
        problems.add(
            "cloudInit: CloudInitConfig "
                + spec.cloudInit().name()
                + " is not among the manifests (pass it with -f, or a rendered seed with"
                + " --cloud-init-seed)");
      } else {
        try {
          renderedSeed =
              NoCloudRenderer.render(
                  config,
                  manifests.namespace(),
                  manifests.name(),
                  nics.isEmpty() ? null : nics.get(0).mac(),
                  manifests.secrets());
        } catch (IllegalArgumentException e) {
          problems.add("cloudInit " + spec.cloudInit().name() + ": " + e.getMessage());
        }
      }
    }
    boolean cloudInit = seedDir != null || renderedSeed != null;
    if (cloudInit && tools.xorriso().isEmpty()) {
      problems.add("cloudInit: xorriso is not installed (Debian package xorriso)");
    }
    if (cloudInit && invocation.runtimeDir() != null) {
      // The seed's bus is the VM's choice, also for a seed rendered by the operator (whose Secret
      // arrives as --cloud-init-seed): virtio by default, as Debian's cloud kernel has no AHCI and
      // would never see a SATA CD-ROM. Only SATA needs a CD-ROM; on virtio and SCSI the ISO is a
      // read-only disk, which cloud-init finds by its label just the same.
      DiskBus seedBus = spec.cloudInit() == null ? DiskBus.VIRTIO : spec.cloudInit().effectiveBus();
      disks.add(
          new DiskAttachment(
              "cloudinit",
              runtime.cloudInitIso(),
              VolumeFormat.RAW,
              seedBus,
              seedBus == DiskBus.SATA,
              true,
              null,
              null,
              null,
              false,
              false));
    }

    // Display
    Display display = spec.effectiveDisplay();
    DisplayType type = display.effectiveType();
    int vram = display.effectiveVramMiB();
    DisplaySetup displaySetup =
        new DisplaySetup(
            type,
            vram,
            display.vncEnabled(),
            display.spiceEnabled(),
            spec.usbRedirectionChannels());
    if (spec.usbRedirectionChannels() > 0 && !display.spiceEnabled()) {
      problems.add("usbRedirection needs a SPICE display (display.spice: true)");
    }
    if (type == DisplayType.NONE
        && (Boolean.TRUE.equals(display.vnc()) || Boolean.TRUE.equals(display.spice()))) {
      problems.add("display type none has no screen: vnc and spice must not be enabled");
    }

    if (!problems.isEmpty()) {
      throw LaunchException.invalid(problems);
    }

    QemuInputs inputs =
        new QemuInputs(
            tools.qemu().get(),
            vmId,
            accelerator.kind(),
            accelerator.cpuModel(),
            orOne(cpu.sockets()),
            orOne(cpu.cores()),
            orOne(cpu.threads()),
            memory.getAsLong(),
            uefi,
            spec.tpmEnabled() ? runtime.tpmSocket() : null,
            disks,
            kernelFiles,
            nics,
            displaySetup,
            runtime.qemuSockets(displaySetup.vnc(), displaySetup.spice()));
    List<String> argv;
    try {
      argv = QemuCommandBuilder.build(inputs);
    } catch (IllegalArgumentException e) {
      throw LaunchException.invalid(e.getMessage());
    }
    return new LaunchPlan(
        inputs, argv, tpmStateDir, renderedSeed, seedDir, spec.gracePeriodSeconds(), imageChanges);
  }

  private static int orOne(Integer value) {
    return value == null ? 1 : value;
  }
}
