package io.fastvm.console.target;

import io.fastvm.contract.console.ConsoleChannel;

/**
 * Where a running VM's consoles are: its pod's IP. Only ever built from the VM's status and its pod
 * in the API server, never from anything a client sends, so the proxy cannot be pointed at another
 * host or port.
 */
public record VmTarget(
    String namespace,
    String name,
    String uid,
    String podName,
    String podIp,
    boolean vnc,
    boolean spice) {

  public boolean serves(ConsoleChannel channel) {
    return switch (channel) {
      case VNC -> vnc;
      case SPICE -> spice;
      case SERIAL -> true;
    };
  }
}
