package io.fastvm.cli;

import io.fastvm.contract.HostPortMode;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.NatBackend;
import io.fastvm.node.guest.DemoGuest;
import io.fastvm.node.guest.GuestImage;
import io.fastvm.node.launcher.Launcher;
import io.fastvm.node.launcher.LauncherMain;
import io.fastvm.node.manifest.ManifestException;
import io.fastvm.node.manifest.ManifestReader;
import io.fastvm.node.manifest.ManifestSet;
import io.fastvm.node.manifest.ManifestValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fastvm run}: boots a VirtualMachine manifest on this machine with the same launcher as a
 * VM pod. Without {@code -f} it boots the built-in demo VM.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Boots the VirtualMachine in the manifests locally (QEMU), the serial console on stdout.",
      "Ctrl-C or SIGTERM powers the guest down (a second Ctrl-C stops it at once);",
      "exits 0 when the guest powered off. Without -f it boots the built-in demo VM."
    })
final class RunCommand implements Callable<Integer> {

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      description = "Manifest YAML: the VirtualMachine, its Volumes, CloudInitConfig, Secrets.")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--volume",
      paramLabel = "NAME=PATH",
      description = "Bind a Volume to a local image file (repeatable).")
  Map<String, Path> volumes = new LinkedHashMap<>();

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Persistent VM state (UEFI variables, TPM). Default: ~/.local/state/fastvm/NS/NAME")
  Path stateDir;

  @Option(
      names = "--runtime-dir",
      paramLabel = "DIR",
      description =
          "Sockets (VNC, SPICE, serial, QMP). Default: $XDG_RUNTIME_DIR/fastvm/NS/NAME or /tmp/fastvm-UID/NS/NAME")
  Path runtimeDir;

  @Option(
      names = "--cloud-init-seed",
      paramLabel = "DIR",
      description = "A rendered NoCloud seed folder instead of the CloudInitConfig.")
  Path cloudInitSeed;

  @Option(
      names = "--nat-bind-address",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description = "Address forwarded ports listen on (default ${DEFAULT-VALUE}).")
  String natBindAddress;

  @Option(
      names = "--nat-backend",
      paramLabel = "KIND",
      defaultValue = "slirp",
      description =
          "What carries nat networks: slirp (QEMU's own) or passt (faster; Debian package passt)"
              + " (default ${DEFAULT-VALUE}).")
  String natBackend;

  @Option(
      names = "--print-qemu-command",
      description = "Print QEMU's arguments, one per line, and start nothing.")
  boolean printQemuCommand;

  /**
   * Manifests are checked as the API server would (CRD schema, defaults, CEL rules) before anything
   * starts; documents of other kinds (Secrets) pass through.
   */
  static ManifestValidator schemaValidator() {
    io.fastvm.api.validation.ManifestValidator crds =
        io.fastvm.api.validation.ManifestValidator.committed();
    return (document, source) ->
        crds.knows(document)
            ? crds.validate(document).stream().map(Object::toString).toList()
            : List.of();
  }

  @Override
  public Integer call() throws Exception {
    List<Path> manifests = new ArrayList<>(files);
    Map<String, Path> bound = new LinkedHashMap<>(volumes);
    if (manifests.isEmpty()) {
      GuestImage demo = DemoGuest.build();
      Path dir = LocalDirs.state().resolve("demo-manifest");
      Files.createDirectories(dir);
      Path manifest = dir.resolve("demo.yaml");
      Files.writeString(manifest, DemoGuest.manifest());
      manifests.add(manifest);
      bound.putIfAbsent(DemoGuest.KERNEL_VOLUME, demo.kernel());
      bound.putIfAbsent(DemoGuest.INITRD_VOLUME, demo.initrd());
      System.err.println(
          "fastvm: no -f given: booting the demo VM (" + demo.kernelVersion() + ", busybox)");
    }
    ManifestValidator validator = schemaValidator();
    ManifestSet set;
    try {
      set = new ManifestReader(validator).read(manifests);
    } catch (ManifestException e) {
      System.err.println("fastvm: " + e.getMessage());
      return LauncherInvocation.ExitCode.INVALID;
    }
    String ns = set.namespace();
    String name = set.name();
    Path state = stateDir != null ? stateDir : LocalDirs.state().resolve(ns).resolve(name);
    Path runtime;
    try {
      runtime = runtimeDir != null ? runtimeDir : LocalDirs.runtime().resolve(ns).resolve(name);
    } catch (IOException e) {
      System.err.println("fastvm: " + e.getMessage());
      return LauncherInvocation.ExitCode.INVALID;
    }
    LauncherInvocation invocation =
        new LauncherInvocation(
            manifests,
            bound,
            cloudInitSeed,
            state,
            runtime,
            natBindAddress,
            null,
            null,
            HostPortMode.SERVICE);
    try {
      invocation = invocation.withNatBackend(NatBackend.parse(natBackend));
    } catch (IllegalArgumentException e) {
      System.err.println("fastvm: " + e.getMessage());
      return LauncherInvocation.ExitCode.INVALID;
    }
    Launcher.Settings settings =
        new Launcher.Settings(
            ManifestValidator.NONE,
            printQemuCommand,
            Launcher.defaultCacheDir(),
            System.out,
            // On a terminal, what is typed goes to the guest's serial console (line by line).
            System.console() != null ? System.in : null,
            System.err);
    if (!printQemuCommand) {
      System.err.println("fastvm: state in " + state + ", sockets in " + runtime);
    }
    return LauncherMain.runInvocation(invocation, settings);
  }
}
