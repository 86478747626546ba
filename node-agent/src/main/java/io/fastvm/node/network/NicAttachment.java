package io.fastvm.node.network;

import io.fastvm.api.v1alpha1.NicModel;
import java.util.List;

/**
 * One NIC and its backend.
 *
 * @param restricted user-mode network without a route out (type isolated)
 * @param bootIndex network boot (PXE) priority, null when the NIC is not offered for boot
 */
public record NicAttachment(
    String name,
    NicModel model,
    String mac,
    boolean restricted,
    List<HostForward> forwards,
    Integer bootIndex) {

  public NicAttachment {
    forwards = List.copyOf(forwards);
  }
}
