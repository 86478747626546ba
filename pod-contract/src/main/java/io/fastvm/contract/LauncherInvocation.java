package io.fastvm.contract;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The launcher's command line, the contract between the operator (which builds a VM pod's args with
 * {@link #toArgs()}) and the launcher (which parses them). {@code fastvm run} takes the same
 * options.
 *
 * @param manifests YAML files holding the VirtualMachine and the objects it references (Volumes,
 *     CloudInitConfig, Secrets)
 * @param volumes image file of each Volume, by Volume name
 * @param cloudInitSeed folder with a rendered NoCloud seed; null renders the CloudInitConfig
 * @param stateDir persistent per-VM state (UEFI variables, TPM)
 * @param runtimeDir sockets and generated files; emptied at start
 * @param natBindAddress address forwarded ports listen on: 127.0.0.1 locally, 0.0.0.0 in a pod
 * @param consoleTlsDir TLS material of the console endpoint; null serves no console endpoint
 * @param terminationLog file that receives the reason when the launcher fails; null for none
 * @param natHostPorts which host port a forwarded guest port listens on: the guest port (in a pod,
 *     where the Service maps servicePort to it; the default) or servicePort ({@code fastvm run})
 * @param consoleListen {@code HOST:PORT} the console endpoint listens on; null is every address on
 *     {@link PodLayout#CONSOLE_PORT} (a pod). Local runs and tests pick a loopback address.
 * @param natBackend what carries nat NICs: slirp (null; the default) or passt
 */
public record LauncherInvocation(
    List<Path> manifests,
    Map<String, Path> volumes,
    Path cloudInitSeed,
    Path stateDir,
    Path runtimeDir,
    String natBindAddress,
    Path consoleTlsDir,
    Path terminationLog,
    HostPortMode natHostPorts,
    String consoleListen,
    NatBackend natBackend) {

  public LauncherInvocation {
    manifests = List.copyOf(manifests);
    volumes = new TreeMap<>(volumes);
    for (String name : volumes.keySet()) {
      // --volume=NAME=PATH splits at the first '=': a name with one could not round-trip.
      if (name.isEmpty() || name.contains("=")) {
        throw new IllegalArgumentException("not a Volume name: " + name);
      }
    }
    natHostPorts = natHostPorts == null ? HostPortMode.GUEST : natHostPorts;
    natBackend = natBackend == null ? NatBackend.SLIRP : natBackend;
    if (consoleListen != null) {
      consoleAddress(consoleListen);
    }
  }

  /** With the default nat backend (slirp). */
  public LauncherInvocation(
      List<Path> manifests,
      Map<String, Path> volumes,
      Path cloudInitSeed,
      Path stateDir,
      Path runtimeDir,
      String natBindAddress,
      Path consoleTlsDir,
      Path terminationLog,
      HostPortMode natHostPorts,
      String consoleListen) {
    this(
        manifests,
        volumes,
        cloudInitSeed,
        stateDir,
        runtimeDir,
        natBindAddress,
        consoleTlsDir,
        terminationLog,
        natHostPorts,
        consoleListen,
        null);
  }

  /** The same invocation with nat NICs on {@code backend}. */
  public LauncherInvocation withNatBackend(NatBackend backend) {
    return new LauncherInvocation(
        manifests,
        volumes,
        cloudInitSeed,
        stateDir,
        runtimeDir,
        natBindAddress,
        consoleTlsDir,
        terminationLog,
        natHostPorts,
        consoleListen,
        backend);
  }

  /** An invocation whose console endpoint (if any) listens on the pod's console port. */
  public LauncherInvocation(
      List<Path> manifests,
      Map<String, Path> volumes,
      Path cloudInitSeed,
      Path stateDir,
      Path runtimeDir,
      String natBindAddress,
      Path consoleTlsDir,
      Path terminationLog,
      HostPortMode natHostPorts) {
    this(
        manifests,
        volumes,
        cloudInitSeed,
        stateDir,
        runtimeDir,
        natBindAddress,
        consoleTlsDir,
        terminationLog,
        natHostPorts,
        null);
  }

  /** Where the console endpoint listens: {@link #consoleListen()}, else 0.0.0.0:5900. */
  public InetSocketAddress consoleAddress() {
    return consoleListen == null
        ? new InetSocketAddress(PodLayout.CONSOLE_PORT)
        : consoleAddress(consoleListen);
  }

  private static InetSocketAddress consoleAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      if (colon <= 0) {
        throw new NumberFormatException();
      }
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(host, port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--console-listen needs HOST:PORT, not " + hostPort, e);
    }
  }

  /** The invocation of a VM pod: forwarded ports listen on the guest ports. */
  public LauncherInvocation(
      List<Path> manifests,
      Map<String, Path> volumes,
      Path cloudInitSeed,
      Path stateDir,
      Path runtimeDir,
      String natBindAddress,
      Path consoleTlsDir,
      Path terminationLog) {
    this(
        manifests,
        volumes,
        cloudInitSeed,
        stateDir,
        runtimeDir,
        natBindAddress,
        consoleTlsDir,
        terminationLog,
        HostPortMode.GUEST,
        null);
  }

  /**
   * Parses the launcher's arguments (the inverse of {@link #toArgs()}).
   *
   * @throws IllegalArgumentException with a message naming the bad argument
   */
  public static LauncherInvocation parse(List<String> args) {
    return LauncherOptions.parse(args);
  }

  /** The launcher's {@code --help} text. */
  public static String usage() {
    return LauncherOptions.USAGE;
  }

  /** Exit codes of the launcher (also of {@code fastvm run}). */
  public static final class ExitCode {
    private ExitCode() {}

    /** The guest powered off, by itself or on request (SIGTERM, Ctrl-C). */
    public static final int POWERED_OFF = 0;

    /** Invalid input or a missing prerequisite; nothing was started or changed. */
    public static final int INVALID = 2;

    /** QEMU (or swtpm) failed to start. */
    public static final int START_FAILED = 3;

    /** QEMU crashed or was killed while running. */
    public static final int CRASHED = 4;

    /**
     * Asked to stop, the guest did not power off within the grace period: QEMU was stopped hard.
     */
    public static final int STOPPED_HARD = 5;
  }

  public List<String> toArgs() {
    List<String> args = new ArrayList<>();
    for (Path manifest : manifests) {
      args.add("--manifest=" + manifest);
    }
    volumes.forEach((name, path) -> args.add("--volume=" + name + "=" + path));
    if (cloudInitSeed != null) {
      args.add("--cloud-init-seed=" + cloudInitSeed);
    }
    args.add("--state-dir=" + stateDir);
    args.add("--runtime-dir=" + runtimeDir);
    if (natBindAddress != null) {
      args.add("--nat-bind-address=" + natBindAddress);
    }
    if (consoleTlsDir != null) {
      args.add("--console-tls=" + consoleTlsDir);
    }
    if (terminationLog != null) {
      args.add("--termination-log=" + terminationLog);
    }
    if (natHostPorts != HostPortMode.GUEST) {
      args.add("--nat-host-ports=" + natHostPorts.name().toLowerCase(java.util.Locale.ROOT));
    }
    if (consoleListen != null) {
      args.add("--console-listen=" + consoleListen);
    }
    if (natBackend != NatBackend.SLIRP) {
      args.add("--nat-backend=" + natBackend.option());
    }
    return args;
  }
}
