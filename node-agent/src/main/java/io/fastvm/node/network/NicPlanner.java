package io.fastvm.node.network;

import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.NetworkType;
import io.fastvm.api.v1alpha1.Port;
import io.fastvm.api.v1alpha1.PortProtocol;
import io.fastvm.contract.HostPortMode;
import io.fastvm.contract.MacAddresses;
import io.fastvm.contract.NatBackend;
import io.fastvm.contract.PodTaps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the spec's networks into NICs: nat on the chosen backend (QEMU's user network, or a passt
 * beside QEMU, {@link NatBackend}) with the spec's ports forwarded; isolated on QEMU's user network
 * without a route out; bridge on the tap {@link PodTaps#tap} that the node agent bridges to the
 * pod's Multus interface. Macvtap is refused before anything starts.
 */
public final class NicPlanner {

  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

  private final String bindAddress;
  private final HostPortMode hostPorts;
  private final NatBackend natBackend;
  private final Path runtimeDir;

  /** With nat on QEMU's user network. */
  public NicPlanner(String bindAddress, HostPortMode hostPorts) {
    this(bindAddress, hostPorts, NatBackend.SLIRP, null);
  }

  /**
   * @param runtimeDir where passt's sockets go (with {@link NatBackend#PASST})
   */
  public NicPlanner(
      String bindAddress, HostPortMode hostPorts, NatBackend natBackend, Path runtimeDir) {
    this.bindAddress = bindAddress;
    this.hostPorts = hostPorts;
    this.natBackend = natBackend;
    this.runtimeDir = runtimeDir;
  }

  /** The socket of the passt of the {@code index}th NIC. */
  public static Path passtSocket(Path runtimeDir, int index) {
    return runtimeDir.resolve("passt-" + index + ".sock");
  }

  public List<NicAttachment> plan(
      String namespace, String vmName, List<Network> networks, List<String> problems) {
    if (!IPV4.matcher(bindAddress).matches()) {
      problems.add("--nat-bind-address: " + bindAddress + " is not an IPv4 address");
    }
    List<NicAttachment> nics = new ArrayList<>();
    Set<String> hostPortsTaken = new HashSet<>();
    Set<String> macs = new HashSet<>();
    for (int index = 0; index < networks.size(); index++) {
      Network network = networks.get(index);
      String what = "network " + network.name();
      NetworkType type = network.effectiveType();
      if (type == NetworkType.MACVTAP) {
        problems.add(what + ": type macvtap is not supported yet; use bridge, nat or isolated");
        continue;
      }
      if (index >= PodTaps.MAX_NICS) {
        problems.add(what + ": a VM has at most " + PodTaps.MAX_NICS + " NICs");
        continue;
      }
      String mac;
      if (network.macAddress() != null) {
        var normalized = MacAddresses.normalize(network.macAddress());
        if (normalized.isEmpty()) {
          problems.add(what + ": macAddress " + network.macAddress() + " is not a unicast MAC");
          continue;
        }
        mac = normalized.get();
      } else {
        mac = MacAddresses.stable(namespace, vmName, network.name());
      }
      if (!macs.add(mac)) {
        problems.add(what + ": MAC " + mac + " is used by another NIC");
      }
      List<HostForward> forwards = new ArrayList<>();
      for (Port port : network.portsOrEmpty()) {
        if (type != NetworkType.NAT) {
          problems.add(what + ": ports can only be forwarded on nat networks");
          break;
        }
        if (port.port() == null || port.port() < 1 || port.port() > 65535) {
          problems.add(what + ": port " + port.port() + " is not between 1 and 65535");
          continue;
        }
        int hostPort = hostPorts == HostPortMode.SERVICE ? port.exposedPort() : port.port();
        if (hostPort < 1 || hostPort > 65535) {
          problems.add(what + ": servicePort " + hostPort + " is not between 1 and 65535");
          continue;
        }
        PortProtocol protocol = port.effectiveProtocol();
        if (!hostPortsTaken.add(protocol + "/" + hostPort)) {
          problems.add(what + ": host port " + protocol + " " + hostPort + " is forwarded twice");
          continue;
        }
        forwards.add(new HostForward(protocol, bindAddress, hostPort, port.port()));
      }
      boolean passt = type == NetworkType.NAT && natBackend == NatBackend.PASST;
      if (passt && !forwards.isEmpty()) {
        // Debian 12's passt (2023-03) leaves forwarded connections half-open: the guest's
        // SYN-ACK goes unanswered (PasstGuestTest found it); ports wait for a passt that works.
        problems.add(
            what
                + ": ports cannot be forwarded with --nat-backend=passt yet (Debian 12's passt"
                + " leaves them half-open); use --nat-backend=slirp");
      }
      NicBackend backend;
      if (type == NetworkType.BRIDGE) {
        backend = new NicBackend.Tap(PodTaps.tap(index));
      } else if (passt) {
        backend = new NicBackend.Passt(passtSocket(runtimeDir, index));
      } else {
        backend = new NicBackend.UserNetwork(type == NetworkType.ISOLATED, forwards);
      }
      nics.add(
          new NicAttachment(
              network.name(), network.effectiveModel(), mac, network.bootOrder(), backend));
    }
    return nics;
  }
}
