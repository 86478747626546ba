package io.fastvm.node.qemu;

import java.nio.file.Path;

/**
 * Where QEMU serves its unix sockets and writes its pid.
 *
 * @param launcherQmp the launcher's own QMP connection
 * @param qmp a second QMP monitor for the node agent's live operations
 * @param serialBackend the launcher's serial hub, which QEMU connects to as a client
 * @param vnc VNC screen (null when the VM has none)
 * @param spice SPICE screen (null when the VM has none)
 */
public record QemuSockets(
    Path launcherQmp,
    Path qmp,
    Path serialBackend,
    Path vnc,
    Path spice,
    Path guestAgent,
    Path pidFile) {}
