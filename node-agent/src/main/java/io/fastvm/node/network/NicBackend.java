package io.fastvm.node.network;

import java.nio.file.Path;
import java.util.List;

/** What a NIC's QEMU netdev is connected to. */
public sealed interface NicBackend {

  /** The spec's ports forwarded into the guest (only QEMU's user network forwards any yet). */
  default List<HostForward> forwards() {
    return List.of();
  }

  /**
   * QEMU's own user network (libslirp).
   *
   * @param restricted without a route out (type isolated)
   */
  record UserNetwork(boolean restricted, List<HostForward> forwards) implements NicBackend {
    public UserNetwork {
      forwards = List.copyOf(forwards);
    }
  }

  /** A passt beside QEMU serving the NIC on a unix socket. */
  record Passt(Path socket) implements NicBackend {}

  /**
   * A tap device someone else made and bridged (the node agent, for a VM pod), owned by QEMU's user
   * so QEMU opens it without privileges.
   */
  record Tap(String device) implements NicBackend {}
}
