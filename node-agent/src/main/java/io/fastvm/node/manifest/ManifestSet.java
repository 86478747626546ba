package io.fastvm.node.manifest;

import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import java.util.Map;
import java.util.Optional;

/**
 * The VirtualMachine and the objects it references, as read from manifest files.
 *
 * @param secrets string data of each Secret by name (base64 {@code data} decoded, {@code
 *     stringData} as is)
 */
public record ManifestSet(
    VirtualMachine vm,
    Map<String, Volume> volumes,
    Map<String, CloudInitConfig> cloudInitConfigs,
    Map<String, Map<String, String>> secrets) {

  public ManifestSet {
    volumes = Map.copyOf(volumes);
    cloudInitConfigs = Map.copyOf(cloudInitConfigs);
    secrets = Map.copyOf(secrets);
  }

  public Optional<Volume> volume(String name) {
    return Optional.ofNullable(volumes.get(name));
  }

  public String namespace() {
    String ns = vm.getMetadata().getNamespace();
    return ns == null || ns.isBlank() ? "default" : ns;
  }

  public String name() {
    return vm.getMetadata().getName();
  }
}
