package io.fastvm.node.network;

import io.fastvm.api.v1alpha1.NicModel;
import java.nio.file.Path;
import java.util.List;

/**
 * One NIC and its backend.
 *
 * @param restricted user-mode network without a route out (type isolated)
 * @param bootIndex network boot (PXE) priority, null when the NIC is not offered for boot
 * @param passtSocket where the NIC's passt serves QEMU; null: QEMU's own user network (slirp)
 */
public record NicAttachment(
    String name,
    NicModel model,
    String mac,
    boolean restricted,
    List<HostForward> forwards,
    Integer bootIndex,
    Path passtSocket) {

  public NicAttachment {
    forwards = List.copyOf(forwards);
  }

  /** On QEMU's user network (slirp). */
  public NicAttachment(
      String name,
      NicModel model,
      String mac,
      boolean restricted,
      List<HostForward> forwards,
      Integer bootIndex) {
    this(name, model, mac, restricted, forwards, bootIndex, null);
  }
}
