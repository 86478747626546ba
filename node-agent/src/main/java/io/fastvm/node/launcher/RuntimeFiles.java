package io.fastvm.node.launcher;

import io.fastvm.node.qemu.QemuSockets;
import java.nio.file.Path;
import java.util.List;

/**
 * Files the launcher creates in the runtime directory ({@link PodLayout#RUNTIME_DIR} in a pod). The
 * socket names are public API: the console-proxy and the node agent connect to them.
 */
public record RuntimeFiles(Path dir) {

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
   * Exists while QEMU runs and answers QMP: written once the launcher's QMP connection is up,
   * removed as soon as the VM is asked to stop (or stops). The VM pod's readiness probe tests it.
   */
  public static final String READY_FILE = "ready";

  // Private to the launcher.
  static final String LAUNCHER_QMP_SOCKET = "launcher-qmp.sock";
  static final String SERIAL_BACKEND_SOCKET = "qemu-serial.sock";
  static final String TPM_SOCKET = "swtpm.sock";
  static final String TPM_LOG = "swtpm.log";
  static final String QEMU_PID = "qemu.pid";
  static final String CLOUD_INIT_ISO = "cloud-init.iso";
  static final String CLOUD_INIT_SEED_DIR = "cloud-init";
  static final String LOCK = "launcher.lock";

  public Path vnc() {
    return dir.resolve(VNC_SOCKET);
  }

  public Path spice() {
    return dir.resolve(SPICE_SOCKET);
  }

  public Path qmp() {
    return dir.resolve(QMP_SOCKET);
  }

  public Path serial() {
    return dir.resolve(SERIAL_SOCKET);
  }

  public Path guestAgent() {
    return dir.resolve(GUEST_AGENT_SOCKET);
  }

  public Path ready() {
    return dir.resolve(READY_FILE);
  }

  Path launcherQmp() {
    return dir.resolve(LAUNCHER_QMP_SOCKET);
  }

  Path serialBackend() {
    return dir.resolve(SERIAL_BACKEND_SOCKET);
  }

  Path tpmSocket() {
    return dir.resolve(TPM_SOCKET);
  }

  Path tpmLog() {
    return dir.resolve(TPM_LOG);
  }

  Path cloudInitIso() {
    return dir.resolve(CLOUD_INIT_ISO);
  }

  Path cloudInitSeedDir() {
    return dir.resolve(CLOUD_INIT_SEED_DIR);
  }

  Path lock() {
    return dir.resolve(LOCK);
  }

  QemuSockets qemuSockets(boolean vnc, boolean spice) {
    return new QemuSockets(
        launcherQmp(),
        qmp(),
        serialBackend(),
        vnc ? vnc() : null,
        spice ? spice() : null,
        guestAgent(),
        dir.resolve(QEMU_PID));
  }

  /** What a previous run may have left: removed at start (the lock file stays). */
  List<String> leftovers() {
    return List.of(
        READY_FILE,
        VNC_SOCKET,
        SPICE_SOCKET,
        QMP_SOCKET,
        SERIAL_SOCKET,
        GUEST_AGENT_SOCKET,
        LAUNCHER_QMP_SOCKET,
        SERIAL_BACKEND_SOCKET,
        TPM_SOCKET,
        TPM_LOG,
        QEMU_PID,
        CLOUD_INIT_ISO);
  }
}
