package io.fastvm.operator.volume;

import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.operator.vm.VmMetadata;
import java.util.Locale;

/**
 * Names of what the operator makes for a Volume; deterministic, so a repeated create fails with
 * AlreadyExists instead of making a second one.
 */
public final class VolumeNames {
  private VolumeNames() {}

  /** The PVC holding the image: {@code <volume>-disk}. */
  public static String claim(Volume volume) {
    String name = volume.getMetadata().getName();
    return name.length() <= 200
        ? name + "-disk"
        : name.substring(0, 190) + "-" + hash(name) + "-disk";
  }

  /**
   * The Job that writes the image: {@code <volume>-<5 hex of the uid>-populate}, at most 63
   * characters (a Job's name becomes a label value of its pods). The uid part keeps a Volume made
   * again under the same name clear of its predecessor's Job.
   */
  public static String populateJob(Volume volume) {
    String name = volume.getMetadata().getName();
    String base = name.length() <= 40 ? name : name.substring(0, 32) + "-" + hash(name);
    String uid = volume.getMetadata().getUid().replace("-", "").substring(0, 5);
    return (base + "-" + uid + "-populate").toLowerCase(Locale.ROOT);
  }

  private static String hash(String name) {
    return VmMetadata.shortHash(name, 7);
  }
}
