package io.fastvm.operator.vm;

import io.fastvm.api.v1alpha1.GuestInterfaceStatus;
import io.fastvm.api.v1alpha1.GuestStatus;
import io.fastvm.api.v1alpha1.VmInterfaceStatus;
import io.fastvm.operator.status.Conditions;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the operator makes of the node agent's {@code status.guest}: the AgentConnected condition,
 * and the guest's addresses on the VM's NICs (matched by MAC). A nat NIC keeps the pod's IP, the
 * one reachable from the cluster (the guest's own address there is private to the pod); a NIC
 * without a pod address takes the guest's.
 */
final class VmGuestView {
  private VmGuestView() {}

  static final String GUEST_AGENT = "guest-agent";

  /** AgentConnected, once the node agent has said anything about the current pod's guest. */
  static Optional<Conditions.Wanted> agentConnected(GuestStatus guest) {
    if (guest == null || guest.agentConnected() == null) {
      return Optional.empty();
    }
    return Optional.of(
        guest.agentConnected()
            ? new Conditions.Wanted(
                VmConditions.AGENT_CONNECTED,
                true,
                "GuestAgentConnected",
                "qemu-guest-agent answers")
            : new Conditions.Wanted(
                VmConditions.AGENT_CONNECTED,
                false,
                "GuestAgentNotConnected",
                guest.message() == null ? "qemu-guest-agent does not answer" : guest.message()));
  }

  /** {@code nic} with what the guest says of the interface that has its MAC. */
  static VmInterfaceStatus withGuest(VmInterfaceStatus nic, GuestStatus guest) {
    Optional<GuestInterfaceStatus> seen = interfaceWithMac(guest, nic.macAddress());
    if (seen.isEmpty()) {
      return nic;
    }
    if (nic.ipAddress() != null) {
      return new VmInterfaceStatus(
          nic.name(),
          nic.macAddress(),
          nic.ipAddress(),
          nic.ipAddresses(),
          nic.infoSource() + ", " + GUEST_AGENT);
    }
    List<String> addresses =
        Optional.ofNullable(seen.get().ipAddresses()).orElse(List.of()).stream()
            .map(VmGuestView::withoutPrefix)
            .toList();
    String primary =
        addresses.stream()
            .filter(a -> !a.contains(":"))
            .findFirst()
            .orElse(addresses.isEmpty() ? null : addresses.get(0));
    return new VmInterfaceStatus(
        nic.name(), nic.macAddress(), primary, addresses.isEmpty() ? null : addresses, GUEST_AGENT);
  }

  private static Optional<GuestInterfaceStatus> interfaceWithMac(GuestStatus guest, String mac) {
    if (guest == null || guest.interfaces() == null || mac == null) {
      return Optional.empty();
    }
    String wanted = mac.toLowerCase(Locale.ROOT);
    return guest.interfaces().stream()
        .filter(
            i -> i.macAddress() != null && wanted.equals(i.macAddress().toLowerCase(Locale.ROOT)))
        .findFirst();
  }

  private static String withoutPrefix(String address) {
    int slash = address.indexOf('/');
    return slash < 0 ? address : address.substring(0, slash);
  }
}
