package io.fastvm.node.network;

import io.fastvm.api.v1alpha1.NicModel;
import java.util.List;

/**
 * One NIC and its backend.
 *
 * @param restricted user-mode network without a route out (type isolated)
 */
public record NicAttachment(
    String name, NicModel model, String mac, boolean restricted, List<HostForward> forwards) {

  public NicAttachment {
    forwards = List.copyOf(forwards);
  }
}
