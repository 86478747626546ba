package io.fastvm.node.network;

import io.fastvm.api.v1alpha1.PortProtocol;

/** A host port forwarded into the guest by QEMU's user-mode network (slirp {@code hostfwd}). */
public record HostForward(PortProtocol protocol, String bindAddress, int hostPort, int guestPort) {

  /** slirp's syntax: {@code tcp:127.0.0.1:8080-:80}. */
  public String toSlirp() {
    return (protocol == PortProtocol.UDP ? "udp" : "tcp")
        + ":"
        + bindAddress
        + ":"
        + hostPort
        + "-:"
        + guestPort;
  }
}
