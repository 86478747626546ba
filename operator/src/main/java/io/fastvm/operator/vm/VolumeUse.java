package io.fastvm.operator.vm;

/**
 * A Volume the VM uses, resolved to its PVC.
 *
 * @param volume name of the Volume object
 * @param claimName the PVC from the Volume's status
 * @param imagePath path of the image inside the PVC
 * @param readOnly whether every use of it is read-only (CD-ROM, read-only disk, kernel, initrd)
 */
public record VolumeUse(String volume, String claimName, String imagePath, boolean readOnly) {}
