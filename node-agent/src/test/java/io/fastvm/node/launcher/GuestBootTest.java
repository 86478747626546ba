package io.fastvm.node.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.MacAddresses;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.testing.LauncherProcess;
import io.fastvm.node.testing.TestGuests;
import io.fastvm.node.testing.TestVm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots real guests (QEMU, TCG here) with the launcher in its own JVM and checks what the guest
 * reports on its serial line. Timeouts are generous: the machine may be busy; nothing is timed.
 */
class GuestBootTest {

  static final Duration BOOT = Duration.ofMinutes(4);
  static final Duration EXIT = Duration.ofMinutes(2);

  @TempDir Path tmp;

  @Test
  void kernelBootSeesCpusMemoryDisksAndNicsThenPowersOffOnSigterm() throws Exception {
    GuestImage guest = TestGuests.kernelBootGuest();
    // Commas and quotes in paths and the cmdline must reach QEMU and the guest unharmed.
    Path images = Files.createDirectories(tmp.resolve("images,with,commas"));
    TestVm vm = new TestVm(images).runtimeDir(tmp.resolve("run,time"));
    vm.volume("kernel", guest.kernel())
        .volume("initrd", guest.initrd())
        .volume("root", vm.qcow2Image("root,disk.qcow2", 2L << 30))
        .volume("data", vm.rawImage("data.raw", 3L << 20))
        .volume("legacy", vm.rawImage("legacy.raw", 5L << 20))
        .volume("ro", vm.rawImage("ro.raw", 1L << 20));
    vm.manifest(
        """
        apiVersion: fastvm.io/v1alpha1
        kind: Volume
        metadata: {name: root}
        spec: {size: 2Gi, format: qcow2, source: {blank: {}}}
        ---
        apiVersion: fastvm.io/v1alpha1
        kind: VirtualMachine
        metadata: {name: hw, namespace: tests}
        spec:
          accelerator: tcg
          cpu: {sockets: 1, cores: 2, threads: 1, model: qemu64}
          memory: 320Mi
          terminationGracePeriodSeconds: 120
          kernelBoot:
            kernel: kernel
            initrd: initrd
            cmdline: 'console=ttyS0 panic=-1 quiet fastvm.expect=vd:2,sd:2,net:3 fastvm.test=a,b,,c "x y"'
          disks:
            - {name: root, volume: root, serial: VIRT-1}
            - {name: data, volume: data, bus: scsi, serial: SCSI-2}
            - {name: legacy, volume: legacy, bus: sata, serial: SATA-3}
            - {name: ro, volume: ro, readOnly: true, serial: RO-4}
          networks:
            - {name: first, type: nat, model: virtio, macAddress: "52:54:00:AA:BB:01"}
            - {name: second, type: isolated, model: e1000}
            - {name: third, type: isolated, model: rtl8139}
          display: {type: none}
        """);
    try (LauncherProcess launcher = vm.start()) {
      launcher.awaitLine(TestGuests.READY, BOOT);
      List<String> seen = launcher.guestLines();
      assertThat(seen)
          .contains(
              "cpus=2",
              "firmware=bios",
              "cmdline console=ttyS0 panic=-1 quiet fastvm.expect=vd:2,sd:2,net:3"
                  + " fastvm.test=a,b,,c \"x y\"",
              "tpm=absent")
          .anyMatch(l -> l.matches("disk name=vd. bus=virtio size=2147483648 serial=VIRT-1 ro=0"))
          .anyMatch(l -> l.matches("disk name=sd. bus=scsi size=3145728 serial=SCSI-2 ro=0"))
          .anyMatch(l -> l.matches("disk name=sd. bus=sata size=5242880 serial=SATA-3 ro=0"))
          .anyMatch(l -> l.matches("disk name=vd. bus=virtio size=1048576 serial=RO-4 ro=1"))
          .anyMatch(l -> l.matches("nic name=eth\\d mac=52:54:00:aa:bb:01 driver=virtio_net"))
          .anyMatch(
              l ->
                  l.matches(
                      "nic name=eth\\d mac="
                          + MacAddresses.stable("tests", "hw", "second")
                          + " driver=e1000"))
          .anyMatch(
              l ->
                  l.matches(
                      "nic name=eth\\d mac="
                          + MacAddresses.stable("tests", "hw", "third")
                          + " driver=8139cp"));
      long memKib =
          Long.parseLong(
              seen.stream()
                  .filter(l -> l.startsWith("memtotal_kib="))
                  .findFirst()
                  .orElseThrow()
                  .substring("memtotal_kib=".length()));
      // 320 MiB of RAM less what the kernel keeps for itself.
      assertThat(memKib).isBetween(250_000L, 320L * 1024);

      launcher.awaitLine("power-button watching", BOOT);
      launcher.signal("TERM");
      assertThat(launcher.awaitExit(EXIT)).isEqualTo(LauncherInvocation.ExitCode.POWERED_OFF);
      assertThat(launcher.guestLines()).contains("power-button pressed: powering off");
      assertThat(launcher.output()).contains("the guest powered off (guest-shutdown)");
    }
  }
}
