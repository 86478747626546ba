package io.fastvm.contract;

import java.nio.file.Path;

/**
 * Where things are inside a VM pod: the operator mounts them here and passes these paths to the
 * launcher. Tests that run a pod's command locally map each of these folders to a temporary one.
 */
public final class PodLayout {
  private PodLayout() {}

  /** The launcher executable in the node-agent image (a script that runs the launcher jar). */
  public static final String LAUNCHER_COMMAND = "fastvm-launcher";

  /** ConfigMap with the VirtualMachine and the Volumes it uses, read-only. */
  public static final Path MANIFESTS_DIR = Path.of("/etc/fastvm/manifests");

  /** Key of the manifests ConfigMap (and file name in {@link #MANIFESTS_DIR}). */
  public static final String MANIFESTS_KEY = "vm.yaml";

  /** Secret with the rendered NoCloud seed (user-data, meta-data, network-config), read-only. */
  public static final Path CLOUD_INIT_DIR = Path.of("/etc/fastvm/cloud-init");

  /** Secret with the console endpoint's TLS material (tls.crt, tls.key, ca.crt), read-only. */
  public static final Path CONSOLE_TLS_DIR = Path.of("/etc/fastvm/console-tls");

  /** Each Volume's PVC is mounted at {@code VOLUMES_DIR/<volume name>}. */
  public static final Path VOLUMES_DIR = Path.of("/var/lib/fastvm/volumes");

  /** Per-VM state PVC: UEFI variables, TPM state. Survives restarts. */
  public static final Path STATE_DIR = Path.of("/var/lib/fastvm/state");

  /** emptyDir for unix sockets (qmp, vnc, spice, serial, guest agent) and the cloud-init ISO. */
  public static final Path RUNTIME_DIR = Path.of("/run/fastvm");

  /**
   * The pod volume of {@link #RUNTIME_DIR}: the node agent finds the VM's sockets in the kubelet's
   * folder of that emptyDir ({@code <pods dir>/<pod uid>/volumes/kubernetes.io~empty-dir/runtime}).
   */
  public static final String RUNTIME_VOLUME = "runtime";

  /** Label on every VM pod: the uid of its VirtualMachine (the node agent selects by it). */
  public static final String VM_UID_LABEL = "fastvm.io/vm-uid";

  /** emptyDir for temporary files, since the root filesystem is read-only. */
  public static final Path TMP_DIR = Path.of("/tmp");

  /** Where Kubernetes reads the container's termination message from. */
  public static final Path TERMINATION_LOG = Path.of("/dev/termination-log");

  /** Port of the console endpoint (mutual TLS) that the console-proxy connects to. */
  public static final int CONSOLE_PORT = 5900;

  public static Path volumeMount(String volumeName) {
    return VOLUMES_DIR.resolve(volumeName);
  }
}
