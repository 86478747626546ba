package io.fastvm.contract;

/**
 * The names the launcher gives what it serves in its runtime directory ({@link
 * PodLayout#RUNTIME_DIR} in a pod): public, because the console endpoint, the pod's readiness probe
 * and the node agent use them. What else the launcher keeps there is its own.
 */
public final class RuntimeDir {
  private RuntimeDir() {}

  /** VNC screen; several viewers may share it. */
  public static final String VNC_SOCKET = "vnc.sock";

  /** SPICE screen (clipboard, resize, USB redirection). */
  public static final String SPICE_SOCKET = "spice.sock";

  /** QMP monitor for the node agent's live operations (one client at a time). */
  public static final String QMP_SOCKET = "qmp.sock";

  /** Serial console: any number of clients; output broadcast, input forwarded to the guest. */
  public static final String SERIAL_SOCKET = "serial.sock";

  /** QEMU guest agent channel (org.qemu.guest_agent.0). */
  public static final String GUEST_AGENT_SOCKET = "guest-agent.sock";

  /**
   * QEMU's process id, as its own PID namespace numbers it (the node agent reads the VM's CPU and
   * memory use from the process).
   */
  public static final String QEMU_PID_FILE = "qemu.pid";

  /**
   * Exists while QEMU runs and answers QMP: written once the launcher's QMP connection is up,
   * removed as soon as the VM is asked to stop (or stops). The VM pod's readiness probe tests it.
   */
  public static final String READY_FILE = "ready";
}
