package io.fastvm.node.manifest;

import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.VolumeSpec;
import java.util.Map;
import java.util.Optional;

/**
 * The VirtualMachine and the objects it references, as read from manifest files: their specs by
 * name (the launcher needs nothing else of them).
 *
 * @param namespace the VM's namespace ({@code default} when the manifest has none)
 * @param secrets string data of each Secret by name (base64 {@code data} decoded, {@code
 *     stringData} as is)
 */
public record ManifestSet(
    String namespace,
    String name,
    VirtualMachineSpec spec,
    Map<String, VolumeSpec> volumes,
    Map<String, CloudInitConfigSpec> cloudInitConfigs,
    Map<String, Map<String, String>> secrets) {

  public ManifestSet {
    volumes = Map.copyOf(volumes);
    cloudInitConfigs = Map.copyOf(cloudInitConfigs);
    secrets = Map.copyOf(secrets);
  }

  public Optional<VolumeSpec> volume(String name) {
    return Optional.ofNullable(volumes.get(name));
  }
}
