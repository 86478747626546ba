package io.fastvm.operator.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.Volume;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Optional;

/**
 * The VM description the launcher reads ({@code --manifest}): the VirtualMachine, its Volumes and
 * its CloudInitConfig as multi-document YAML, with only name, namespace and spec (no status, no
 * managedFields, no annotations that could be large or sensitive). Secrets never go in here: the
 * rendered cloud-init seed is mounted from its own Secret.
 */
public final class VmManifest {
  private VmManifest() {}

  public static String render(
      VirtualMachine vm, Collection<Volume> volumes, Optional<CloudInitConfig> cloudInit) {
    StringBuilder yaml = new StringBuilder();
    append(yaml, document(vm, vm.getSpec()));
    for (Volume volume : volumes) {
      append(yaml, document(volume, volume.getSpec()));
    }
    cloudInit.ifPresent(config -> append(yaml, document(config, config.getSpec())));
    return yaml.toString();
  }

  /** The VM spec a pod was started from, read back from its manifest annotation. */
  public static Optional<VirtualMachineSpec> vmSpec(String manifest) {
    try {
      for (JsonNode doc :
          VmJson.YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifest).readAll()) {
        if ("VirtualMachine".equals(doc.path("kind").asText())) {
          return Optional.of(VmJson.YAML.treeToValue(doc.path("spec"), VirtualMachineSpec.class));
        }
      }
      return Optional.empty();
    } catch (java.io.IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The sizes of the Volumes a pod was started with, by name, read back from its manifest. */
  public static java.util.Map<String, String> volumeSizes(String manifest) {
    java.util.Map<String, String> sizes = new java.util.LinkedHashMap<>();
    try {
      for (JsonNode doc :
          VmJson.YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifest).readAll()) {
        if ("Volume".equals(doc.path("kind").asText()) && doc.path("spec").has("size")) {
          sizes.put(
              doc.path("metadata").path("name").asText(), doc.path("spec").path("size").asText());
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return java.util.Map.of();
    }
    return sizes;
  }

  private static ObjectNode document(HasMetadata object, Object spec) {
    ObjectNode node = VmJson.YAML.createObjectNode();
    node.put("apiVersion", object.getApiVersion());
    node.put("kind", object.getKind());
    ObjectNode metadata = node.putObject("metadata");
    metadata.put("name", object.getMetadata().getName());
    metadata.put("namespace", object.getMetadata().getNamespace());
    if (object.getMetadata().getUid() != null) {
      metadata.put("uid", object.getMetadata().getUid());
    }
    node.set("spec", VmJson.YAML.valueToTree(spec));
    return node;
  }

  private static void append(StringBuilder yaml, ObjectNode document) {
    try {
      if (!yaml.isEmpty()) {
        yaml.append("---\n");
      }
      yaml.append(VmJson.YAML.writeValueAsString(document));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
