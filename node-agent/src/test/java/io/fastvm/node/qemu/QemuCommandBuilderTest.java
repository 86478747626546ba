package io.fastvm.node.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fastvm.api.v1alpha1.DiskBus;
import io.fastvm.api.v1alpha1.DiskCache;
import io.fastvm.api.v1alpha1.DisplayType;
import io.fastvm.api.v1alpha1.NicModel;
import io.fastvm.api.v1alpha1.PortProtocol;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.node.firmware.UefiFirmware;
import io.fastvm.node.network.HostForward;
import io.fastvm.node.network.NicAttachment;
import io.fastvm.node.network.NicBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The argv builder is a pure function: every test builds inputs and reads the argv. */
class QemuCommandBuilderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path RUN = Path.of("/run/fastvm");

  static QemuSockets sockets(Path dir, boolean vnc, boolean spice) {
    return new QemuSockets(
        dir.resolve("launcher-qmp.sock"),
        dir.resolve("qmp.sock"),
        dir.resolve("qemu-serial.sock"),
        vnc ? dir.resolve("vnc.sock") : null,
        spice ? dir.resolve("spice.sock") : null,
        dir.resolve("guest-agent.sock"),
        dir.resolve("qemu.pid"));
  }

  static DiskAttachment disk(String id, String file, DiskBus bus) {
    return new DiskAttachment(
        id, Path.of(file), VolumeFormat.QCOW2, bus, false, false, null, null, null, true, true);
  }

  static QemuInputs base() {
    return new QemuInputs(
        Path.of("/usr/bin/qemu-system-x86_64"),
        "default/vm",
        AcceleratorKind.TCG,
        "max",
        1,
        2,
        1,
        512,
        null,
        null,
        List.of(disk("disk-root", "/var/lib/fastvm/volumes/root/disk.img", DiskBus.VIRTIO)),
        null,
        List.of(),
        new DisplaySetup(DisplayType.QXL, 64, true, false, 0),
        sockets(RUN, true, false));
  }

  static QemuInputs with(UnaryOperator<Builder> change) {
    return change.apply(new Builder(base())).build();
  }

  /** Copies of QemuInputs with one part changed. */
  record Builder(QemuInputs in) {
    Builder disks(List<DiskAttachment> disks) {
      return new Builder(
          new QemuInputs(
              in.qemuBinary(),
              in.name(),
              in.accelerator(),
              in.cpuModel(),
              in.sockets(),
              in.cores(),
              in.threads(),
              in.memoryMiB(),
              in.uefi(),
              in.tpmSocket(),
              disks,
              in.kernelBoot(),
              in.nics(),
              in.display(),
              in.runtimeSockets()));
    }

    Builder name(String name) {
      return new Builder(
          new QemuInputs(
              in.qemuBinary(),
              name,
              in.accelerator(),
              in.cpuModel(),
              in.sockets(),
              in.cores(),
              in.threads(),
              in.memoryMiB(),
              in.uefi(),
              in.tpmSocket(),
              in.disks(),
              in.kernelBoot(),
              in.nics(),
              in.display(),
              in.runtimeSockets()));
    }

    Builder cpu(String model) {
      return new Builder(
          new QemuInputs(
              in.qemuBinary(),
              in.name(),
              in.accelerator(),
              model,
              in.sockets(),
              in.cores(),
              in.threads(),
              in.memoryMiB(),
              in.uefi(),
              in.tpmSocket(),
              in.disks(),
              in.kernelBoot(),
              in.nics(),
              in.display(),
              in.runtimeSockets()));
    }

    Builder uefi(UefiFirmware uefi, Path tpm) {
      return new Builder(
          new QemuInputs(
              in.qemuBinary(),
              in.name(),
              in.accelerator(),
              in.cpuModel(),
              in.sockets(),
              in.cores(),
              in.threads(),
              in.memoryMiB(),
              uefi,
              tpm,
              in.disks(),
              in.kernelBoot(),
              in.nics(),
              in.display(),
              in.runtimeSockets()));
    }

    Builder kernel(KernelFiles kernel) {
      return new Builder(
          new QemuInputs(
              in.qemuBinary(),
              in.name(),
              in.accelerator(),
              in.cpuModel(),
              in.sockets(),
              in.cores(),
              in.threads(),
              in.memoryMiB(),
              in.uefi(),
              in.tpmSocket(),
              in.disks(),
              kernel,
              in.nics(),
              in.display(),
              in.runtimeSockets()));
    }

    Builder nics(List<NicAttachment> nics) {
      return new Builder(
          new QemuInputs(
              in.qemuBinary(),
              in.name(),
              in.accelerator(),
              in.cpuModel(),
              in.sockets(),
              in.cores(),
              in.threads(),
              in.memoryMiB(),
              in.uefi(),
              in.tpmSocket(),
              in.disks(),
              in.kernelBoot(),
              nics,
              in.display(),
              in.runtimeSockets()));
    }

    Builder display(DisplaySetup display, QemuSockets sockets) {
      return new Builder(
          new QemuInputs(
              in.qemuBinary(),
              in.name(),
              in.accelerator(),
              in.cpuModel(),
              in.sockets(),
              in.cores(),
              in.threads(),
              in.memoryMiB(),
              in.uefi(),
              in.tpmSocket(),
              in.disks(),
              in.kernelBoot(),
              in.nics(),
              display,
              sockets));
    }

    QemuInputs build() {
      return in;
    }
  }

  /** Values of every occurrence of {@code option}. */
  static List<String> values(List<String> argv, String option) {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < argv.size() - 1; i++) {
      if (argv.get(i).equals(option)) {
        values.add(argv.get(i + 1));
      }
    }
    return values;
  }

  static List<JsonNode> json(List<String> argv, String option) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String v : values(argv, option)) {
      nodes.add(JSON.readTree(v));
    }
    return nodes;
  }

  static JsonNode device(List<String> argv, String driver) throws Exception {
    return json(argv, "-device").stream()
        .filter(d -> d.path("driver").asText().equals(driver))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + driver + " in " + argv));
  }

  @Test
  void basicVmHasMachineCpuMemoryAndNoNetworkListener() {
    List<String> argv = QemuCommandBuilder.build(base());
    assertThat(argv.get(0)).isEqualTo("/usr/bin/qemu-system-x86_64");
    assertThat(values(argv, "-machine")).containsExactly("q35,vmport=off");
    assertThat(values(argv, "-accel")).containsExactly("tcg");
    assertThat(values(argv, "-cpu")).containsExactly("max");
    assertThat(values(argv, "-smp")).containsExactly("2,sockets=1,cores=2,threads=1");
    assertThat(values(argv, "-m")).containsExactly("512M");
    assertThat(argv).contains("-nodefaults", "-no-user-config");
    assertThat(values(argv, "-display")).containsExactly("none");
    assertThat(values(argv, "-vnc"))
        .containsExactly("unix:/run/fastvm/vnc.sock,share=force-shared");
    // Only unix sockets: no TCP listener anywhere.
    assertThat(String.join(" ", argv))
        .doesNotContain("tcp:")
        .doesNotContain(",port=")
        .doesNotContain("host=");
    assertThat(values(argv, "-chardev"))
        .contains(
            "socket,id=qmp-launcher,path=/run/fastvm/launcher-qmp.sock,server=on,wait=off",
            "socket,id=qmp,path=/run/fastvm/qmp.sock,server=on,wait=off",
            "socket,id=serial0,path=/run/fastvm/qemu-serial.sock",
            "socket,id=qga0,path=/run/fastvm/guest-agent.sock,server=on,wait=off");
    assertThat(values(argv, "-pidfile")).containsExactly("/run/fastvm/qemu.pid");
    assertThat(values(argv, "-boot")).isEmpty();
  }

  @Test
  void disksGetTheirBusFormatCacheSerialAndBootIndex() throws Exception {
    List<DiskAttachment> disks =
        List.of(
            new DiskAttachment(
                "disk-root",
                Path.of("/v/root.qcow2"),
                VolumeFormat.QCOW2,
                DiskBus.VIRTIO,
                false,
                false,
                2,
                "ROOT-1",
                null,
                true,
                true),
            new DiskAttachment(
                "disk-data",
                Path.of("/v/data.raw"),
                VolumeFormat.RAW,
                DiskBus.SCSI,
                false,
                true,
                null,
                "DATA",
                DiskCache.WRITETHROUGH,
                true,
                false),
            new DiskAttachment(
                "disk-install",
                Path.of("/v/install.iso"),
                VolumeFormat.RAW,
                DiskBus.SATA,
                true,
                true,
                1,
                null,
                null,
                true,
                true),
            new DiskAttachment(
                "disk-drivers",
                Path.of("/v/virtio.iso"),
                VolumeFormat.RAW,
                DiskBus.SATA,
                true,
                true,
                null,
                null,
                null,
                true,
                true));
    List<String> argv = QemuCommandBuilder.build(with(b -> b.disks(disks)));

    List<JsonNode> blockdevs = json(argv, "-blockdev");
    assertThat(blockdevs).hasSize(4);
    JsonNode root = blockdevs.get(0);
    assertThat(root.path("driver").asText()).isEqualTo("qcow2");
    assertThat(root.path("file").path("filename").asText()).isEqualTo("/v/root.qcow2");
    assertThat(root.path("file").path("cache").path("direct").asBoolean()).isTrue();
    assertThat(root.path("file").path("aio").asText()).isEqualTo("native");
    assertThat(root.path("discard").asText()).isEqualTo("unmap");
    assertThat(root.path("read-only").asBoolean()).isFalse();

    JsonNode data = blockdevs.get(1);
    assertThat(data.path("driver").asText()).isEqualTo("raw");
    assertThat(data.path("read-only").asBoolean()).isTrue();
    assertThat(data.has("discard")).isFalse();
    assertThat(data.path("file").path("cache").path("direct").asBoolean()).isFalse();

    JsonNode virtio = device(argv, "virtio-blk-pci");
    assertThat(virtio.path("serial").asText()).isEqualTo("ROOT-1");
    assertThat(virtio.path("bootindex").asInt()).isEqualTo(2);
    assertThat(virtio.path("id").asText()).isEqualTo("disk-root");
    assertThat(device(argv, "virtio-scsi-pci").path("id").asText()).isEqualTo("scsi0");
    JsonNode scsi = device(argv, "scsi-hd");
    assertThat(scsi.path("bus").asText()).isEqualTo("scsi0.0");
    assertThat(scsi.path("write-cache").asText()).isEqualTo("off");
    List<JsonNode> cds =
        json(argv, "-device").stream()
            .filter(d -> d.path("driver").asText().equals("ide-cd"))
            .toList();
    assertThat(cds).extracting(d -> d.path("bus").asText()).containsExactly("ide.0", "ide.1");
    assertThat(cds.get(0).path("bootindex").asInt()).isEqualTo(1);
    assertThat(values(argv, "-boot")).containsExactly("strict=on");
  }

  @Test
  void uefiSecureBootUsesSmmAndSecurePflash() throws Exception {
    UefiFirmware fw =
        new UefiFirmware(
            Path.of("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"),
            Path.of("/usr/share/OVMF/OVMF_VARS_4M.ms.fd"),
            Path.of("/var/lib/fastvm/state/uefi-vars.fd"),
            true);
    List<String> argv = QemuCommandBuilder.build(with(b -> b.uefi(fw, RUN.resolve("swtpm.sock"))));
    assertThat(values(argv, "-machine"))
        .containsExactly("q35,vmport=off,pflash0=fw-code,pflash1=fw-vars,smm=on");
    assertThat(values(argv, "-global"))
        .containsExactly("driver=cfi.pflash01,property=secure,value=on");
    List<JsonNode> blockdevs = json(argv, "-blockdev");
    assertThat(blockdevs.get(0).path("node-name").asText()).isEqualTo("fw-code");
    assertThat(blockdevs.get(0).path("read-only").asBoolean()).isTrue();
    assertThat(blockdevs.get(1).path("file").path("filename").asText())
        .isEqualTo("/var/lib/fastvm/state/uefi-vars.fd");
    assertThat(blockdevs.get(1).path("read-only").asBoolean()).isFalse();
    assertThat(values(argv, "-tpmdev")).containsExactly("emulator,id=tpm0,chardev=tpm-chr");
    assertThat(values(argv, "-chardev")).contains("socket,id=tpm-chr,path=/run/fastvm/swtpm.sock");
    assertThat(device(argv, "tpm-crb").path("tpmdev").asText()).isEqualTo("tpm0");
  }

  @Test
  void nicsGetModelMacAndUserNetworkWithForwardsOrRestriction() throws Exception {
    List<NicAttachment> nics =
        List.of(
            NicAttachment.userNetwork(
                "default",
                NicModel.VIRTIO,
                "52:54:00:12:34:56",
                false,
                List.of(
                    new HostForward(PortProtocol.TCP, "127.0.0.1", 8022, 22),
                    new HostForward(PortProtocol.UDP, "127.0.0.1", 5353, 53)),
                null),
            NicAttachment.userNetwork(
                "lab", NicModel.E1000, "52:54:00:00:00:02", true, List.of(), 3),
            NicAttachment.userNetwork(
                "old", NicModel.RTL8139, "52:54:00:00:00:03", true, List.of(), null));
    List<String> argv = QemuCommandBuilder.build(with(b -> b.nics(nics)));
    List<JsonNode> netdevs = json(argv, "-netdev");
    assertThat(netdevs.get(0).path("type").asText()).isEqualTo("user");
    assertThat(netdevs.get(0).path("hostfwd").findValuesAsText("str"))
        .containsExactly("tcp:127.0.0.1:8022-:22", "udp:127.0.0.1:5353-:53");
    assertThat(netdevs.get(0).has("restrict")).isFalse();
    assertThat(netdevs.get(1).path("restrict").asBoolean()).isTrue();
    assertThat(device(argv, "virtio-net-pci").path("mac").asText()).isEqualTo("52:54:00:12:34:56");
    assertThat(device(argv, "e1000").path("netdev").asText()).isEqualTo("net1");
    assertThat(device(argv, "rtl8139").path("id").asText()).isEqualTo("nic-old");
    // Only a NIC with a boot order is offered for network boot, and then only what has one.
    assertThat(device(argv, "e1000").path("bootindex").asInt()).isEqualTo(3);
    assertThat(device(argv, "virtio-net-pci").has("bootindex")).isFalse();
    assertThat(values(argv, "-boot")).containsExactly("strict=on");
  }

  @Test
  void aNicOnPasstIsAStreamToItsSocket() throws Exception {
    NicAttachment nic =
        new NicAttachment(
            "default",
            NicModel.VIRTIO,
            "52:54:00:12:34:56",
            null,
            new NicBackend.Passt(java.nio.file.Path.of("/run/fastvm/passt-0.sock")));
    List<String> argv = QemuCommandBuilder.build(with(b -> b.nics(List.of(nic))));
    JsonNode netdev = json(argv, "-netdev").get(0);
    assertThat(netdev.path("type").asText()).isEqualTo("stream");
    assertThat(netdev.path("server").asBoolean(true)).isFalse();
    assertThat(netdev.path("addr").path("type").asText()).isEqualTo("unix");
    assertThat(netdev.path("addr").path("path").asText()).isEqualTo("/run/fastvm/passt-0.sock");
    assertThat(netdev.has("hostfwd")).isFalse();
    assertThat(device(argv, "virtio-net-pci").path("netdev").asText()).isEqualTo("net0");
  }

  @Test
  void aNicOnATapOpensTheNamedTapWithoutScripts() throws Exception {
    NicAttachment nic =
        new NicAttachment(
            "lan", NicModel.E1000, "52:54:00:12:34:57", 2, new NicBackend.Tap("fvtap1"));
    List<String> argv = QemuCommandBuilder.build(with(b -> b.nics(List.of(nic))));
    JsonNode netdev = json(argv, "-netdev").get(0);
    assertThat(netdev.path("type").asText()).isEqualTo("tap");
    assertThat(netdev.path("ifname").asText()).isEqualTo("fvtap1");
    // QEMU runs unprivileged: the default ifup script would need CAP_NET_ADMIN.
    assertThat(netdev.path("script").asText()).isEqualTo("no");
    assertThat(netdev.path("downscript").asText()).isEqualTo("no");
    assertThat(device(argv, "e1000").path("mac").asText()).isEqualTo("52:54:00:12:34:57");
    assertThat(device(argv, "e1000").path("bootindex").asInt()).isEqualTo(2);
  }

  @Test
  void spiceGetsVdagentAndUsbRedirectionChannels() throws Exception {
    List<String> argv =
        QemuCommandBuilder.build(
            with(
                b ->
                    b.display(
                        new DisplaySetup(DisplayType.QXL, 128, true, true, 3),
                        sockets(RUN, true, true))));
    assertThat(values(argv, "-spice"))
        .containsExactly("unix=on,addr=/run/fastvm/spice.sock,disable-ticketing=on");
    assertThat(device(argv, "qxl-vga").path("vram_size_mb").asInt()).isEqualTo(128);
    assertThat(values(argv, "-chardev"))
        .contains(
            "spicevmc,id=vdagent,name=vdagent",
            "spicevmc,id=usbredir0,name=usbredir",
            "spicevmc,id=usbredir2,name=usbredir");
    assertThat(
            json(argv, "-device").stream()
                .filter(d -> d.path("driver").asText().equals("usb-redir"))
                .count())
        .isEqualTo(3);
    assertThat(
            json(argv, "-device").stream()
                .filter(d -> d.path("driver").asText().equals("virtserialport"))
                .map(d -> d.path("name").asText()))
        .containsExactlyInAnyOrder("org.qemu.guest_agent.0", "com.redhat.spice.0");
  }

  @Test
  void displayNoneHasNoAdapterNoVncNoUsb() {
    List<String> argv =
        QemuCommandBuilder.build(
            with(b -> b.display(DisplaySetup.none(), sockets(RUN, false, false))));
    assertThat(values(argv, "-vnc")).isEmpty();
    assertThat(values(argv, "-spice")).isEmpty();
    assertThat(String.join(" ", argv)).doesNotContain("qxl").doesNotContain("qemu-xhci");
  }

  // --- injection attempts -------------------------------------------------------------------

  @Test
  void commasInPathsAreDoubledInKeyValueOptionsAndJsonEncodedElsewhere() throws Exception {
    Path hostile = Path.of("/tmp/a,server=on,path=/etc/x");
    List<String> argv =
        QemuCommandBuilder.build(
            with(
                b ->
                    b.disks(List.of(disk("disk-root", "/v/x,file.driver=nbd,y", DiskBus.VIRTIO)))
                        .display(
                            new DisplaySetup(DisplayType.VGA, 16, true, false, 0),
                            sockets(hostile, true, false))));
    assertThat(values(argv, "-chardev"))
        .contains("socket,id=serial0,path=/tmp/a,,server=on,,path=/etc/x/qemu-serial.sock");
    assertThat(values(argv, "-vnc"))
        .containsExactly("unix:/tmp/a,,server=on,,path=/etc/x/vnc.sock,share=force-shared");
    // -pidfile takes its value verbatim: no doubling there.
    assertThat(values(argv, "-pidfile")).containsExactly("/tmp/a,server=on,path=/etc/x/qemu.pid");
    JsonNode blockdev = json(argv, "-blockdev").get(0);
    assertThat(blockdev.path("file").path("filename").asText()).isEqualTo("/v/x,file.driver=nbd,y");
    assertThat(blockdev.path("file").path("driver").asText()).isEqualTo("file");
  }

  @Test
  void vmNameIsEscaped() {
    List<String> argv = QemuCommandBuilder.build(with(b -> b.name("ns/vm,process=evil")));
    assertThat(values(argv, "-name")).containsExactly("guest=ns/vm,,process=evil,debug-threads=on");
  }

  @Test
  void serialsThatCouldAddPropertiesAreRejected() {
    for (String serial : List.of("A,bootindex=1", "A\"}", "ABC\n", "waytoolongserialnumber123")) {
      DiskAttachment disk =
          new DiskAttachment(
              "disk-root",
              Path.of("/v/r"),
              VolumeFormat.RAW,
              DiskBus.VIRTIO,
              false,
              false,
              null,
              serial,
              null,
              true,
              true);
      assertThatThrownBy(() -> QemuCommandBuilder.build(with(b -> b.disks(List.of(disk)))))
          .as(serial)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("serial");
    }
  }

  @Test
  void cpuModelsWithFlagsOrSpacesAreRejected() {
    for (String model : List.of("max,+vmx", "host,migratable=off", "max -device x", "")) {
      assertThatThrownBy(() -> QemuCommandBuilder.build(with(b -> b.cpu(model))))
          .as(model)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(values(QemuCommandBuilder.build(with(b -> b.cpu("Skylake-Client-v4"))), "-cpu"))
        .containsExactly("Skylake-Client-v4");
  }

  @Test
  void kernelCmdlinePassesVerbatimButNoControlCharacters() {
    String cmdline = "console=ttyS0 a=b,c,,d \"quoted arg\" -device evil";
    List<String> argv =
        QemuCommandBuilder.build(
            with(b -> b.kernel(new KernelFiles(Path.of("/k,ernel"), Path.of("/i"), cmdline))));
    // One argv element each, so nothing in it can become a QEMU option.
    assertThat(values(argv, "-append")).containsExactly(cmdline);
    assertThat(values(argv, "-kernel")).containsExactly("/k,ernel");
    assertThatThrownBy(
            () ->
                QemuCommandBuilder.build(
                    with(
                        b ->
                            b.kernel(new KernelFiles(Path.of("/k"), null, "quiet\n-device evil")))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control character");
  }

  @Test
  void idsAndMacsCannotCarryJsonOrOptions() {
    DiskAttachment badId =
        new DiskAttachment(
            "disk-a\",\"driver\":\"x",
            Path.of("/v"),
            VolumeFormat.RAW,
            DiskBus.VIRTIO,
            false,
            false,
            null,
            null,
            null,
            true,
            true);
    assertThatThrownBy(() -> QemuCommandBuilder.build(with(b -> b.disks(List.of(badId)))))
        .isInstanceOf(IllegalArgumentException.class);
    NicAttachment badName =
        NicAttachment.userNetwork(
            "a,b", NicModel.VIRTIO, "52:54:00:00:00:01", false, List.of(), null);
    assertThatThrownBy(() -> QemuCommandBuilder.build(with(b -> b.nics(List.of(badName)))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tooLongSocketPathsAndTooManySataDisksAreRejected() {
    Path deep = Path.of("/" + "x".repeat(120));
    assertThatThrownBy(
            () ->
                QemuCommandBuilder.build(
                    with(b -> b.display(DisplaySetup.none(), sockets(deep, false, false)))))
        .hasMessageContaining("too long for a unix socket");
    List<DiskAttachment> sata = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      sata.add(disk("disk-" + i, "/v/" + i, DiskBus.SATA));
    }
    assertThatThrownBy(() -> QemuCommandBuilder.build(with(b -> b.disks(sata))))
        .hasMessageContaining("SATA ports");
  }

  @Test
  void cdromOnVirtioIsRejected() {
    DiskAttachment cd =
        new DiskAttachment(
            "disk-cd",
            Path.of("/v.iso"),
            VolumeFormat.RAW,
            DiskBus.VIRTIO,
            true,
            true,
            null,
            null,
            null,
            false,
            true);
    assertThatThrownBy(() -> QemuCommandBuilder.build(with(b -> b.disks(List.of(cd)))))
        .hasMessageContaining("CD-ROM needs bus sata or scsi");
  }

  @Test
  void escapingHelpers() {
    assertThat(QemuOpts.value("x", "a,b,,c")).isEqualTo("a,,b,,,,c");
    assertThatThrownBy(() -> QemuOpts.value("x", "a\u0000b")).hasMessageContaining("control");
    assertThatThrownBy(() -> QemuOpts.value("x", "a\u007fb")).hasMessageContaining("control");
    assertThatThrownBy(() -> QemuOpts.value("x", "")).hasMessageContaining("empty");
    assertThat(QemuOpts.id("disk-a.b_c")).isEqualTo("disk-a.b_c");
    assertThatThrownBy(() -> QemuOpts.id("1abc")).isInstanceOf(IllegalArgumentException.class);
  }
}
