package io.fastvm.node.launcher;

import io.fastvm.node.network.HostPortMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The launcher's command line as picocli parses it; see {@link LauncherInvocation}. */
@Command(
    name = PodLayout.LAUNCHER_COMMAND,
    description = "Runs one VM: QEMU (and swtpm), supervised, until the guest powers off.",
    mixinStandardHelpOptions = true)
final class LauncherOptions {

  @Option(
      names = "--manifest",
      paramLabel = "FILE",
      required = true,
      description = "YAML with the VirtualMachine and the objects it references (repeatable).")
  List<Path> manifests = new ArrayList<>();

  @Option(
      names = "--volume",
      paramLabel = "NAME=PATH",
      description = "Image file (or PVC folder holding disk.img) of a Volume (repeatable).")
  Map<String, Path> volumes = new LinkedHashMap<>();

  @Option(names = "--cloud-init-seed", paramLabel = "DIR", description = "Rendered NoCloud seed.")
  Path cloudInitSeed;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      required = true,
      description = "Persistent per-VM state (UEFI variables, TPM).")
  Path stateDir;

  @Option(
      names = "--runtime-dir",
      paramLabel = "DIR",
      required = true,
      description = "Sockets and generated files.")
  Path runtimeDir;

  @Option(
      names = "--nat-bind-address",
      paramLabel = "ADDR",
      description = "Address forwarded ports listen on (default 127.0.0.1).")
  String natBindAddress;

  @Option(
      names = "--nat-host-ports",
      paramLabel = "guest|service",
      description = "Host port of a forwarded port: the guest port (default) or servicePort.")
  String natHostPorts;

  @Option(
      names = "--console-tls",
      paramLabel = "DIR",
      description = "TLS material of the console endpoint (not served yet).")
  Path consoleTlsDir;

  @Option(
      names = "--termination-log",
      paramLabel = "FILE",
      description = "Where the failure reason is written.")
  Path terminationLog;

  static LauncherOptions parse(List<String> args) {
    LauncherOptions options = new LauncherOptions();
    try {
      new CommandLine(options).parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return options;
  }

  LauncherInvocation toInvocation() {
    HostPortMode mode;
    try {
      mode =
          natHostPorts == null
              ? HostPortMode.GUEST
              : HostPortMode.valueOf(natHostPorts.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--nat-host-ports must be guest or service, not " + natHostPorts, e);
    }
    return new LauncherInvocation(
        manifests,
        volumes,
        cloudInitSeed,
        stateDir,
        runtimeDir,
        natBindAddress,
        consoleTlsDir,
        terminationLog,
        mode);
  }
}
