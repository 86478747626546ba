package io.fastvm.node.volume;

import io.fastvm.api.v1alpha1.VolumeFormat;
import java.nio.file.Path;

/**
 * A Volume bound to its image file.
 *
 * @param directIo whether the file's filesystem supports O_DIRECT (cache mode none)
 */
public record ResolvedVolume(String name, Path file, VolumeFormat format, boolean directIo) {}
