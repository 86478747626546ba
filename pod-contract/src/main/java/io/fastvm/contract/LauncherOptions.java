package io.fastvm.contract;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the launcher's {@code --name=value} arguments (see {@link LauncherInvocation}).
 *
 * <p>Written by hand rather than with picocli (which the {@code fastvm} command uses): this fixed
 * contract of eleven options does not need it, and picocli's reflection cost the launcher about 190
 * ms of its start-up (measured, docs/benchmarks.md).
 */
final class LauncherOptions {
  private LauncherOptions() {}

  static final String USAGE =
      """
      Usage: fastvm-launcher --manifest=FILE... --state-dir=DIR --runtime-dir=DIR [options]
      Runs one VM (QEMU, and swtpm for a TPM) until the guest powers off.
        --manifest=FILE          YAML with the VirtualMachine and what it references (repeatable)
        --volume=NAME=PATH       image file (or PVC folder holding disk.img) of a Volume (repeatable)
        --cloud-init-seed=DIR    rendered NoCloud seed (user-data, meta-data, network-config)
        --state-dir=DIR          persistent per-VM state (UEFI variables, TPM)
        --runtime-dir=DIR        sockets and generated files
        --nat-bind-address=ADDR  address forwarded ports listen on (default 127.0.0.1)
        --nat-host-ports=MODE    guest (default: host port = guest port) or service (= servicePort)
        --nat-backend=KIND       slirp (default: QEMU's user network) or passt (faster, needs passt)
        --console-tls=DIR        serve the console endpoint (mutual TLS) with tls.crt, tls.key, ca.crt
        --console-listen=ADDR    HOST:PORT of the console endpoint (default 0.0.0.0:5900)
        --termination-log=FILE   where the failure reason is written
      Exit codes: 0 powered off, 2 invalid input, 3 start failed, 4 crashed, 5 stopped hard.
      """;

  static LauncherInvocation parse(List<String> args) {
    List<Path> manifests = new ArrayList<>();
    Map<String, Path> volumes = new LinkedHashMap<>();
    Map<String, String> single = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + arg);
      }
      int eq = arg.indexOf('=');
      String name;
      String value;
      if (eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.size()) {
        name = arg;
        value = args.get(++i);
      } else {
        throw new IllegalArgumentException("missing value for " + arg);
      }
      switch (name) {
        case "--manifest" -> manifests.add(Path.of(value));
        case "--volume" -> {
          int sep = value.indexOf('=');
          if (sep <= 0) {
            throw new IllegalArgumentException("--volume needs NAME=PATH, not " + value);
          }
          volumes.put(value.substring(0, sep), Path.of(value.substring(sep + 1)));
        }
        case "--cloud-init-seed",
            "--state-dir",
            "--runtime-dir",
            "--nat-bind-address",
            "--nat-host-ports",
            "--nat-backend",
            "--console-tls",
            "--console-listen",
            "--termination-log" -> {
          if (single.put(name, value) != null) {
            throw new IllegalArgumentException(name + " is given twice");
          }
        }
        default -> throw new IllegalArgumentException("unknown option: " + name);
      }
    }
    if (manifests.isEmpty()) {
      throw new IllegalArgumentException("missing required option --manifest=FILE");
    }
    for (String required : List.of("--state-dir", "--runtime-dir")) {
      if (!single.containsKey(required)) {
        throw new IllegalArgumentException("missing required option " + required + "=DIR");
      }
    }
    String mode = single.get("--nat-host-ports");
    HostPortMode hostPorts;
    try {
      hostPorts =
          mode == null ? HostPortMode.GUEST : HostPortMode.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--nat-host-ports must be guest or service, not " + mode, e);
    }
    return new LauncherInvocation(
        manifests,
        volumes,
        path(single.get("--cloud-init-seed")),
        path(single.get("--state-dir")),
        path(single.get("--runtime-dir")),
        single.get("--nat-bind-address"),
        path(single.get("--console-tls")),
        path(single.get("--termination-log")),
        hostPorts,
        single.get("--console-listen"),
        single.containsKey("--nat-backend")
            ? NatBackend.parse(single.get("--nat-backend"))
            : NatBackend.SLIRP);
  }

  private static Path path(String value) {
    return value == null ? null : Path.of(value);
  }
}
