package io.fastvm.node.launcher;

import io.fastvm.contract.RuntimeDir;
import io.fastvm.node.qemu.QemuSockets;
import java.nio.file.Path;
import java.util.List;

/**
 * Files the launcher creates in the runtime directory ({@link
 * io.fastvm.contract.PodLayout#RUNTIME_DIR} in a pod): the public ones named in {@link RuntimeDir},
 * and its own.
 */
public record RuntimeFiles(Path dir) {

  // Private to the launcher.
  static final String LAUNCHER_QMP_SOCKET = "launcher-qmp.sock";
  static final String SERIAL_BACKEND_SOCKET = "qemu-serial.sock";
  static final String TPM_SOCKET = "swtpm.sock";
  static final String TPM_LOG = "swtpm.log";
  static final String QEMU_PID = RuntimeDir.QEMU_PID_FILE;
  static final String CLOUD_INIT_ISO = "cloud-init.iso";
  static final String CLOUD_INIT_SEED_DIR = "cloud-init";
  static final String LOCK = "launcher.lock";

  public Path vnc() {
    return dir.resolve(RuntimeDir.VNC_SOCKET);
  }

  public Path spice() {
    return dir.resolve(RuntimeDir.SPICE_SOCKET);
  }

  public Path qmp() {
    return dir.resolve(RuntimeDir.QMP_SOCKET);
  }

  public Path serial() {
    return dir.resolve(RuntimeDir.SERIAL_SOCKET);
  }

  public Path guestAgent() {
    return dir.resolve(RuntimeDir.GUEST_AGENT_SOCKET);
  }

  public Path ready() {
    return dir.resolve(RuntimeDir.READY_FILE);
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
        RuntimeDir.READY_FILE,
        RuntimeDir.VNC_SOCKET,
        RuntimeDir.SPICE_SOCKET,
        RuntimeDir.QMP_SOCKET,
        RuntimeDir.SERIAL_SOCKET,
        RuntimeDir.GUEST_AGENT_SOCKET,
        LAUNCHER_QMP_SOCKET,
        SERIAL_BACKEND_SOCKET,
        TPM_SOCKET,
        TPM_LOG,
        QEMU_PID,
        CLOUD_INIT_ISO);
  }
}
