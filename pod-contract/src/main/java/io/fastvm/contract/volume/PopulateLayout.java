package io.fastvm.contract.volume;

import io.fastvm.contract.PodLayout;
import java.nio.file.Path;

/**
 * Where things are inside a populate Job's pod (node-agent image, unprivileged, no service-account
 * token): the operator mounts them here and passes these paths in a {@link PopulateInvocation}.
 * Tests that run the populator locally map each folder to a temporary one.
 */
public final class PopulateLayout {
  private PopulateLayout() {}

  /** The populator executable in the node-agent image (a script that runs the jar). */
  public static final String POPULATE_COMMAND = "fastvm-populate";

  /** Name of the image file in a Volume's PVC, the same one the launcher reads. */
  public static final String IMAGE_FILE_NAME = "disk.img";

  /** The Volume being populated has its PVC at {@code VOLUMES_DIR/<volume name>}, read-write. */
  public static final Path VOLUMES_DIR = PodLayout.VOLUMES_DIR;

  /**
   * A copy's source Volume has its PVC at {@code SOURCES_DIR/<volume name>}, read-only: the
   * populator can read the source but never change it.
   */
  public static final Path SOURCES_DIR = Path.of("/var/lib/fastvm/sources");

  /** emptyDir for temporary files, since the root filesystem is read-only. */
  public static final Path TMP_DIR = PodLayout.TMP_DIR;

  /** Where Kubernetes reads the container's termination message from. */
  public static final Path TERMINATION_LOG = PodLayout.TERMINATION_LOG;

  /** The PVC mount of the Volume being populated (the same path as in a VM pod). */
  public static Path volumeMount(String volumeName) {
    return PodLayout.volumeMount(volumeName);
  }

  /** The read-only PVC mount of a copy's source Volume. */
  public static Path sourceMount(String volumeName) {
    return SOURCES_DIR.resolve(volumeName);
  }

  /** The image file of a copy's source Volume. */
  public static Path sourceImage(String volumeName) {
    return sourceMount(volumeName).resolve(IMAGE_FILE_NAME);
  }
}
