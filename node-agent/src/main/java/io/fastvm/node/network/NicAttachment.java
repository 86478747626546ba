package io.fastvm.node.network;

import io.fastvm.api.v1alpha1.NicModel;
import java.util.List;

/**
 * One NIC and its backend.
 *
 * @param bootIndex network boot (PXE) priority, null when the NIC is not offered for boot
 */
public record NicAttachment(
    String name, NicModel model, String mac, Integer bootIndex, NicBackend backend) {

  /** On QEMU's user network (slirp). */
  public static NicAttachment userNetwork(
      String name,
      NicModel model,
      String mac,
      boolean restricted,
      List<HostForward> forwards,
      Integer bootIndex) {
    return new NicAttachment(
        name, model, mac, bootIndex, new NicBackend.UserNetwork(restricted, forwards));
  }

  public List<HostForward> forwards() {
    return backend.forwards();
  }
}
