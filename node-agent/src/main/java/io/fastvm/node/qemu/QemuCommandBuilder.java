package io.fastvm.node.qemu;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fastvm.api.v1alpha1.DiskBus;
import io.fastvm.api.v1alpha1.DiskCache;
import io.fastvm.api.v1alpha1.DisplayType;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.node.firmware.UefiFirmware;
import io.fastvm.node.network.HostForward;
import io.fastvm.node.network.NicAttachment;
import io.fastvm.node.network.NicBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Builds QEMU's argv from {@link QemuInputs}: a pure function, never through a shell. Devices,
 * block nodes, netdevs and objects use QEMU's JSON syntax (no comma escaping needed); the options
 * that only take key=value syntax get every user-influenced value through {@link QemuOpts#value}.
 * Anything that cannot be made safe throws {@link IllegalArgumentException}.
 */
public final class QemuCommandBuilder {
  private QemuCommandBuilder() {}

  /** QEMU CPU model names; a comma would add CPU flags, so it is never accepted. */
  private static final Pattern CPU_MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Serial numbers: SATA and virtio-blk hold at most 20 bytes. */
  private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,19}");

  /** q35's built-in AHCI controller has six ports. */
  public static final int SATA_PORTS = 6;

  /** sun_path holds 108 bytes including the terminating NUL. */
  private static final int MAX_SOCKET_PATH = 107;

  public static List<String> build(QemuInputs in) {
    List<String> argv = new ArrayList<>();
    argv.add(in.qemuBinary().toString());
    argv.add("-name");
    argv.add("guest=" + QemuOpts.value("VM name", in.name()) + ",debug-threads=on");
    argv.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none"));
    // No fork/exec, no privilege changes, no obsolete syscalls from QEMU itself.
    argv.addAll(
        List.of(
            "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"));
    // -pidfile takes its value verbatim (no key=value parsing), so it is not escaped.
    argv.addAll(
        List.of(
            "-pidfile",
            QemuOpts.requireSafe("pid file", in.runtimeSockets().pidFile().toString())));

    machine(in, argv);
    cpuAndMemory(in, argv);
    monitors(in, argv);
    serial(in, argv);
    argv.addAll(
        List.of(
            "-object",
            json(
                QemuJson.object()
                    .put("qom-type", "rng-random")
                    .put("id", "rng0")
                    .put("filename", "/dev/urandom")),
            "-device",
            json(QemuJson.object().put("driver", "virtio-rng-pci").put("rng", "rng0"))));
    tpm(in, argv);
    disks(in, argv);
    kernelBoot(in, argv);
    nics(in, argv);
    display(in, argv);
    if (in.disks().stream().anyMatch(d -> d.bootIndex() != null)
        || in.nics().stream().anyMatch(n -> n.bootIndex() != null)) {
      // Only devices with a boot order are offered for boot, as the spec promises.
      argv.addAll(List.of("-boot", "strict=on"));
    }
    return List.copyOf(argv);
  }

  private static void machine(QemuInputs in, List<String> argv) {
    StringBuilder machine = new StringBuilder("q35,vmport=off");
    UefiFirmware uefi = in.uefi();
    if (uefi != null) {
      machine.append(",pflash0=fw-code,pflash1=fw-vars");
      if (uefi.secureBoot()) {
        machine.append(",smm=on");
      }
      argv.add("-blockdev");
      argv.add(rawFileNode("fw-code", uefi.code(), true));
      argv.add("-blockdev");
      argv.add(rawFileNode("fw-vars", uefi.vars(), false));
      if (uefi.secureBoot()) {
        // Only SMM code may write the variable store, so the OS cannot tamper with Secure Boot.
        argv.addAll(List.of("-global", "driver=cfi.pflash01,property=secure,value=on"));
      }
    }
    argv.addAll(List.of("-machine", machine.toString()));
    argv.addAll(List.of("-accel", in.accelerator().qemuName()));
  }

  private static String rawFileNode(String nodeName, Path file, boolean readOnly) {
    ObjectNode node =
        QemuJson.object()
            .put("node-name", nodeName)
            .put("driver", "raw")
            .put("read-only", readOnly);
    node.putObject("file")
        .put("driver", "file")
        .put("filename", QemuJson.text("firmware file", file.toString()))
        .put("read-only", readOnly);
    return json(node);
  }

  private static void cpuAndMemory(QemuInputs in, List<String> argv) {
    String model = in.cpuModel();
    if (model == null || !CPU_MODEL.matcher(model).matches()) {
      throw new IllegalArgumentException(
          "cpu.model " + model + " is not a QEMU CPU model name (letters, digits, . _ -)");
    }
    if (in.sockets() < 1 || in.cores() < 1 || in.threads() < 1) {
      throw new IllegalArgumentException("cpu sockets, cores and threads must be at least 1");
    }
    if (in.memoryMiB() < 1) {
      throw new IllegalArgumentException("memory must be positive");
    }
    int vcpus = in.sockets() * in.cores() * in.threads();
    argv.addAll(List.of("-cpu", model));
    argv.addAll(
        List.of(
            "-smp",
            vcpus
                + ",sockets="
                + in.sockets()
                + ",cores="
                + in.cores()
                + ",threads="
                + in.threads()));
    argv.addAll(List.of("-m", in.memoryMiB() + "M"));
  }

  private static void monitors(QemuInputs in, List<String> argv) {
    QemuSockets s = in.runtimeSockets();
    chardevServer(argv, "qmp-launcher", s.launcherQmp());
    argv.addAll(List.of("-mon", "chardev=qmp-launcher,mode=control"));
    chardevServer(argv, "qmp", s.qmp());
    argv.addAll(List.of("-mon", "chardev=qmp,mode=control"));
  }

  private static void serial(QemuInputs in, List<String> argv) {
    // QEMU connects to the launcher's hub, which listens before QEMU starts: no output is lost.
    argv.addAll(
        List.of(
            "-chardev",
            "socket,id=serial0,path="
                + socketPath("serial socket", in.runtimeSockets().serialBackend())));
    argv.addAll(
        List.of(
            "-device",
            json(QemuJson.object().put("driver", "isa-serial").put("chardev", "serial0"))));
  }

  private static void chardevServer(List<String> argv, String id, Path path) {
    argv.add("-chardev");
    argv.add(
        "socket,id="
            + QemuOpts.id(id)
            + ",path="
            + socketPath("socket " + id, path)
            + ",server=on,wait=off");
  }

  private static String socketPath(String what, Path path) {
    String value = path.toString();
    if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
      throw new IllegalArgumentException(
          what + ": path " + value + " is too long for a unix socket (at most 107 bytes)");
    }
    return QemuOpts.value(what, value);
  }

  private static void tpm(QemuInputs in, List<String> argv) {
    if (in.tpmSocket() == null) {
      return;
    }
    argv.addAll(
        List.of("-chardev", "socket,id=tpm-chr,path=" + socketPath("TPM socket", in.tpmSocket())));
    argv.addAll(List.of("-tpmdev", "emulator,id=tpm0,chardev=tpm-chr"));
    argv.addAll(
        List.of("-device", json(QemuJson.object().put("driver", "tpm-crb").put("tpmdev", "tpm0"))));
  }

  private static void disks(QemuInputs in, List<String> argv) {
    boolean scsi = in.disks().stream().anyMatch(d -> d.bus() == DiskBus.SCSI);
    if (scsi) {
      argv.addAll(
          List.of(
              "-device",
              json(QemuJson.object().put("driver", "virtio-scsi-pci").put("id", "scsi0"))));
    }
    int sataPort = 0;
    int scsiId = 0;
    for (int i = 0; i < in.disks().size(); i++) {
      DiskAttachment disk = in.disks().get(i);
      String id = QemuOpts.id(disk.id());
      String node = "drive" + i;
      argv.add("-blockdev");
      argv.add(blockdev(disk, node));

      ObjectNode device = QemuJson.object();
      switch (disk.bus()) {
        case VIRTIO -> {
          if (disk.cdrom()) {
            throw new IllegalArgumentException(
                "disk " + id + ": a CD-ROM needs bus sata or scsi, not virtio");
          }
          device.put("driver", "virtio-blk-pci");
        }
        case SCSI -> {
          device.put("driver", disk.cdrom() ? "scsi-cd" : "scsi-hd");
          device.put("bus", "scsi0.0").put("channel", 0).put("scsi-id", scsiId++).put("lun", 0);
        }
        case SATA -> {
          if (sataPort >= SATA_PORTS) {
            throw new IllegalArgumentException(
                "disk " + id + ": q35 has " + SATA_PORTS + " SATA ports and all are taken");
          }
          if (!disk.cdrom() && disk.readOnly()) {
            throw new IllegalArgumentException(
                "disk " + id + ": QEMU's SATA disks cannot be read-only; use virtio or scsi");
          }
          device.put("driver", disk.cdrom() ? "ide-cd" : "ide-hd");
          device.put("bus", "ide." + sataPort++);
        }
      }
      device.put("drive", node).put("id", id);
      if (disk.serial() != null) {
        if (!SERIAL.matcher(disk.serial()).matches()) {
          throw new IllegalArgumentException(
              "disk "
                  + id
                  + ": serial "
                  + disk.serial()
                  + " must be 1 to 20 letters, digits, . _ or -");
        }
        device.put("serial", disk.serial());
      }
      if (disk.bootIndex() != null) {
        device.put("bootindex", disk.bootIndex());
      }
      DiskCache cache = disk.effectiveCache();
      if (!disk.cdrom() && (cache == DiskCache.WRITETHROUGH || cache == DiskCache.DIRECTSYNC)) {
        device.put("write-cache", "off");
      }
      argv.add("-device");
      argv.add(json(device));
    }
  }

  private static String blockdev(DiskAttachment disk, String node) {
    DiskCache cache = disk.effectiveCache();
    boolean direct = cache == DiskCache.NONE || cache == DiskCache.DIRECTSYNC;
    boolean noFlush = cache == DiskCache.UNSAFE;
    boolean readOnly = disk.readOnly() || disk.cdrom();
    boolean discard = disk.discard() && !readOnly;

    ObjectNode file =
        QemuJson.object()
            .put("driver", "file")
            .put("filename", QemuJson.text("disk " + disk.id() + " file", disk.file().toString()))
            // io_uring would be faster still, but the seccomp sandbox and older kernels differ.
            .put("aio", direct ? "native" : "threads")
            .put("read-only", readOnly);
    file.putObject("cache").put("direct", direct).put("no-flush", noFlush);
    if (discard) {
      file.put("discard", "unmap");
    }
    ObjectNode format =
        QemuJson.object()
            .put("node-name", node)
            .put("driver", disk.format().name().toLowerCase(java.util.Locale.ROOT))
            .put("read-only", readOnly);
    format.putObject("cache").put("direct", direct).put("no-flush", noFlush);
    if (discard) {
      format.put("discard", "unmap").put("detect-zeroes", "unmap");
    }
    format.set("file", file);
    if (disk.format() == VolumeFormat.QCOW2) {
      if (disk.backing() == null) {
        // Never the backing file a qcow2 header names (the launcher refuses such images anyway).
        format.putNull("backing");
      } else {
        // An overlay clone: its base, given here explicitly and read-only, whatever the header
        // says (the launcher checked that it names the same file).
        ObjectNode backingFile =
            QemuJson.object()
                .put("driver", "file")
                .put(
                    "filename",
                    QemuJson.text("disk " + disk.id() + " backing file", disk.backing().toString()))
                .put("aio", direct ? "native" : "threads")
                .put("read-only", true);
        backingFile.putObject("cache").put("direct", direct).put("no-flush", noFlush);
        ObjectNode backing =
            QemuJson.object()
                .put("driver", disk.backingFormat().name().toLowerCase(java.util.Locale.ROOT))
                .put("read-only", true);
        backing.putObject("cache").put("direct", direct).put("no-flush", noFlush);
        backing.set("file", backingFile);
        if (disk.backingFormat() == VolumeFormat.QCOW2) {
          backing.putNull("backing");
        }
        format.set("backing", backing);
      }
    }
    return json(format);
  }

  private static void kernelBoot(QemuInputs in, List<String> argv) {
    KernelFiles kernel = in.kernelBoot();
    if (kernel == null) {
      return;
    }
    // -kernel, -initrd and -append take their value verbatim (no key=value parsing): commas and
    // quotes reach the guest unchanged, and nothing here can add a QEMU option.
    argv.addAll(
        List.of("-kernel", QemuOpts.requireSafe("kernel file", kernel.kernel().toString())));
    if (kernel.initrd() != null) {
      argv.addAll(
          List.of("-initrd", QemuOpts.requireSafe("initrd file", kernel.initrd().toString())));
    }
    if (kernel.cmdline() != null && !kernel.cmdline().isEmpty()) {
      argv.addAll(List.of("-append", QemuOpts.requireSafe("kernelBoot.cmdline", kernel.cmdline())));
    }
  }

  private static void nics(QemuInputs in, List<String> argv) {
    for (int i = 0; i < in.nics().size(); i++) {
      NicAttachment nic = in.nics().get(i);
      String netdev = "net" + i;
      argv.add("-netdev");
      argv.add(
          json(
              switch (nic.backend()) {
                case NicBackend.UserNetwork user -> slirp(user, netdev);
                case NicBackend.Passt passt -> passt(passt, netdev);
                case NicBackend.Tap tap -> tap(tap, netdev);
              }));
      String driver =
          switch (nic.model()) {
            case VIRTIO -> "virtio-net-pci";
            case E1000 -> "e1000";
            case RTL8139 -> "rtl8139";
          };
      ObjectNode device =
          QemuJson.object()
              .put("driver", driver)
              .put("netdev", netdev)
              .put("id", QemuOpts.id("nic-" + nic.name()))
              .put("mac", QemuJson.text("MAC of " + nic.name(), nic.mac()));
      if (nic.bootIndex() != null) {
        device.put("bootindex", nic.bootIndex());
      }
      argv.add("-device");
      argv.add(json(device));
    }
  }

  /** QEMU's user network; the spec's ports forwarded by slirp itself. */
  private static ObjectNode slirp(NicBackend.UserNetwork nic, String netdev) {
    ObjectNode backend = QemuJson.object().put("type", "user").put("id", netdev);
    if (nic.restricted()) {
      backend.put("restrict", true);
    }
    if (!nic.forwards().isEmpty()) {
      ArrayNode forwards = backend.putArray("hostfwd");
      for (HostForward forward : nic.forwards()) {
        forwards.addObject().put("str", QemuJson.text("port forward", forward.toSlirp()));
      }
    }
    return backend;
  }

  /** A stream to the NIC's passt (QEMU 7.2+), which forwards the ports itself. */
  private static ObjectNode passt(NicBackend.Passt nic, String netdev) {
    ObjectNode backend =
        QemuJson.object().put("type", "stream").put("id", netdev).put("server", false);
    backend
        .putObject("addr")
        .put("type", "unix")
        .put("path", QemuJson.text("passt socket", nic.socket().toString()));
    return backend;
  }

  /**
   * A tap someone else made and bridged; QEMU only opens it (no helper scripts, which would need
   * privileges QEMU does not have).
   */
  private static ObjectNode tap(NicBackend.Tap nic, String netdev) {
    return QemuJson.object()
        .put("type", "tap")
        .put("id", netdev)
        .put("ifname", QemuJson.text("tap device", nic.device()))
        .put("script", "no")
        .put("downscript", "no");
  }

  private static void display(QemuInputs in, List<String> argv) {
    DisplaySetup display = in.display();
    QemuSockets s = in.runtimeSockets();
    DisplayType type = display.type();
    boolean usb = type != DisplayType.NONE || display.usbRedirection() > 0;
    switch (type) {
      case QXL ->
          argv.addAll(
              List.of(
                  "-device",
                  json(
                      QemuJson.object()
                          .put("driver", "qxl-vga")
                          .put("id", "video0")
                          .put("vram_size_mb", display.vramMiB())
                          .put("ram_size_mb", Math.max(64, display.vramMiB())))));
      case VGA ->
          argv.addAll(
              List.of(
                  "-device",
                  json(
                      QemuJson.object()
                          .put("driver", "VGA")
                          .put("id", "video0")
                          .put("vgamem_mb", display.vramMiB()))));
      case VIRTIO ->
          argv.addAll(
              List.of(
                  "-device",
                  json(QemuJson.object().put("driver", "virtio-vga").put("id", "video0"))));
      case NONE -> {}
    }
    if (usb) {
      argv.addAll(
          List.of("-device", json(QemuJson.object().put("driver", "qemu-xhci").put("id", "usb"))));
    }
    if (type != DisplayType.NONE) {
      // An absolute pointer, so VNC and SPICE clients' mice line up with the guest's.
      argv.addAll(
          List.of(
              "-device", json(QemuJson.object().put("driver", "usb-tablet").put("bus", "usb.0"))));
    }
    // virtio-serial carries the guest agent and SPICE's vdagent.
    argv.addAll(
        List.of(
            "-device",
            json(QemuJson.object().put("driver", "virtio-serial-pci").put("id", "vser0"))));
    chardevServer(argv, "qga0", s.guestAgent());
    argv.addAll(
        List.of(
            "-device",
            json(
                QemuJson.object()
                    .put("driver", "virtserialport")
                    .put("bus", "vser0.0")
                    .put("chardev", "qga0")
                    .put("name", "org.qemu.guest_agent.0"))));
    if (display.vnc()) {
      if (type == DisplayType.NONE) {
        throw new IllegalArgumentException("display type none has no screen to serve over VNC");
      }
      // Unix socket only, and shared: several viewers may watch at once.
      argv.addAll(
          List.of("-vnc", "unix:" + socketPath("VNC socket", s.vnc()) + ",share=force-shared"));
    }
    if (display.spice()) {
      if (type == DisplayType.NONE) {
        throw new IllegalArgumentException("display type none has no screen to serve over SPICE");
      }
      argv.addAll(
          List.of(
              "-spice",
              "unix=on,addr=" + socketPath("SPICE socket", s.spice()) + ",disable-ticketing=on"));
      argv.addAll(List.of("-chardev", "spicevmc,id=vdagent,name=vdagent"));
      argv.addAll(
          List.of(
              "-device",
              json(
                  QemuJson.object()
                      .put("driver", "virtserialport")
                      .put("bus", "vser0.0")
                      .put("chardev", "vdagent")
                      .put("name", "com.redhat.spice.0"))));
    }
    if (display.usbRedirection() > 0 && !display.spice()) {
      throw new IllegalArgumentException("usbRedirection needs a SPICE display");
    }
    for (int i = 0; i < display.usbRedirection(); i++) {
      argv.addAll(List.of("-chardev", "spicevmc,id=usbredir" + i + ",name=usbredir"));
      argv.addAll(
          List.of(
              "-device",
              json(
                  QemuJson.object()
                      .put("driver", "usb-redir")
                      .put("id", "usbredir" + i)
                      .put("chardev", "usbredir" + i)
                      .put("bus", "usb.0"))));
    }
  }

  private static String json(ObjectNode node) {
    return QemuJson.render(node);
  }
}
