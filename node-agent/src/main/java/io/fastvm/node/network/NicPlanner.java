package io.fastvm.node.network;

import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.NetworkType;
import io.fastvm.api.v1alpha1.Port;
import io.fastvm.api.v1alpha1.PortProtocol;
import io.fastvm.contract.HostPortMode;
import io.fastvm.contract.MacAddresses;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the spec's networks into NICs with user-mode (slirp) backends: nat forwards the spec's
 * ports, isolated has no route out. Bridge and macvtap need a tap device that only the node agent
 * can plumb, so they are refused before anything starts.
 */
public final class NicPlanner {

  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

  private final String bindAddress;
  private final HostPortMode hostPorts;

  public NicPlanner(String bindAddress, HostPortMode hostPorts) {
    this.bindAddress = bindAddress;
    this.hostPorts = hostPorts;
  }

  public List<NicAttachment> plan(
      String namespace, String vmName, List<Network> networks, List<String> problems) {
    if (!IPV4.matcher(bindAddress).matches()) {
      problems.add("--nat-bind-address: " + bindAddress + " is not an IPv4 address");
    }
    List<NicAttachment> nics = new ArrayList<>();
    Set<String> hostPortsTaken = new HashSet<>();
    Set<String> macs = new HashSet<>();
    for (Network network : networks) {
      String what = "network " + network.name();
      NetworkType type = network.effectiveType();
      if (type.usesMultus()) {
        problems.add(
            what
                + ": type "
                + type.name().toLowerCase()
                + " needs a tap device from the node agent, which this launcher cannot set up"
                + " (not available with fastvm run); use nat or isolated");
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
      nics.add(
          new NicAttachment(
              network.name(),
              network.effectiveModel(),
              mac,
              type == NetworkType.ISOLATED,
              forwards,
              network.bootOrder()));
    }
    return nics;
  }
}
