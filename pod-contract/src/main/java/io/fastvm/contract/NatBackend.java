package io.fastvm.contract;

import java.util.Locale;

/** How the launcher connects a nat NIC to the pod's network (launcher option --nat-backend). */
public enum NatBackend {
  /** QEMU's user-mode network (libslirp), inside QEMU: nothing else runs, but it is slow. */
  SLIRP,
  /**
   * passt: an unprivileged process beside QEMU that maps the guest's traffic onto the pod's own
   * sockets, with the pod's address handed to the guest by DHCP; several times slirp's throughput
   * (docs/benchmarks.md), and no privileges, so VM pods stay as they are.
   */
  PASST;

  /** The option's value, e.g. {@code passt}. */
  public String option() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The backend an option value names; the message lists the values allowed. */
  public static NatBackend parse(String value) {
    for (NatBackend backend : values()) {
      if (backend.option().equals(value)) {
        return backend;
      }
    }
    throw new IllegalArgumentException("--nat-backend must be slirp or passt, not " + value);
  }
}
