package io.fastvm.node.manifest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.VolumeSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads multi-document YAML files into a {@link ManifestSet}. Unknown kinds (ConfigMaps, Services,
 * ...) are skipped so that a manifest written for {@code kubectl apply} also works locally.
 *
 * <p>Only the specs are bound to the model, and without the scheduling fields (which are the
 * operator's business): binding whole custom resources and Kubernetes' affinity types would load
 * hundreds of classes and cost the launcher a few hundred milliseconds at start.
 */
public final class ManifestReader {

  private static final String API_VERSION = VirtualMachine.API_VERSION;

  /** Scheduling fields: read by the operator, not by the launcher. */
  @JsonIgnoreProperties({"affinity", "tolerations", "nodeSelector", "priorityClassName"})
  private abstract static class WithoutScheduling {}

  /** Skips a value without binding it (Kubernetes' scheduling types, read by the operator). */
  private static final class Skipped<T> extends JsonDeserializer<T> {
    @Override
    public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      parser.skipChildren();
      return null;
    }
  }

  private final ObjectMapper mapper =
      new YAMLMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .addMixIn(VirtualMachineSpec.class, WithoutScheduling.class)
          // Explicit deserializers keep Jackson from introspecting the affinity class graph.
          .registerModule(
              new SimpleModule("fastvm-launcher")
                  .addDeserializer(io.fabric8.kubernetes.api.model.Affinity.class, new Skipped<>())
                  .addDeserializer(
                      io.fabric8.kubernetes.api.model.Toleration.class, new Skipped<>()));
  private final ManifestValidator validator;

  public ManifestReader(ManifestValidator validator) {
    this.validator = validator;
  }

  /** A document and where it came from. */
  private record Document(JsonNode node, String source) {}

  public ManifestSet read(List<Path> files) throws ManifestException {
    List<Document> documents = new ArrayList<>();
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        documents.addAll(parse(in, file.toString()));
      } catch (IOException e) {
        throw new ManifestException("cannot read manifest " + file + ": " + e.getMessage(), e);
      }
    }
    return assemble(documents);
  }

  /** Reads manifests from YAML text (the demo VM's manifest ships in the jar). */
  public ManifestSet read(String yaml, String source) throws ManifestException {
    try (InputStream in = new java.io.ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))) {
      return assemble(parse(in, source));
    } catch (IOException e) {
      throw new ManifestException("cannot read manifest " + source + ": " + e.getMessage(), e);
    }
  }

  private List<Document> parse(InputStream in, String source) throws IOException {
    List<Document> documents = new ArrayList<>();
    try (JsonParser parser = mapper.getFactory().createParser(in);
        MappingIterator<JsonNode> it = mapper.readValues(parser, JsonNode.class)) {
      int index = 0;
      while (it.hasNextValue()) {
        JsonNode node = it.nextValue();
        index++;
        if (node == null || node.isNull() || node.isMissingNode() || node.isEmpty()) {
          continue;
        }
        documents.add(new Document(node, source + " (document " + index + ")"));
      }
    }
    return documents;
  }

  private ManifestSet assemble(List<Document> documents) throws ManifestException {
    List<String> problems = new ArrayList<>();
    VirtualMachineSpec vm = null;
    String vmName = null;
    String vmNamespace = null;
    String vmSource = null;
    Map<String, VolumeSpec> volumes = new LinkedHashMap<>();
    Map<String, CloudInitConfigSpec> cloudInits = new LinkedHashMap<>();
    Map<String, Map<String, String>> secrets = new LinkedHashMap<>();
    for (Document doc : documents) {
      JsonNode node = doc.node();
      String kind = node.path("kind").asText("");
      String apiVersion = node.path("apiVersion").asText("");
      String name = node.path("metadata").path("name").asText("");
      boolean ours = API_VERSION.equals(apiVersion);
      if (ours || ("v1".equals(apiVersion) && "Secret".equals(kind))) {
        for (String problem : validator.validate(node, doc.source())) {
          problems.add(doc.source() + ": " + problem);
        }
        if (name.isEmpty()) {
          problems.add(doc.source() + ": " + kind + " has no metadata.name");
          continue;
        }
      }
      try {
        if (ours && "VirtualMachine".equals(kind)) {
          if (vmSource != null) {
            problems.add(
                doc.source()
                    + ": a second VirtualMachine ("
                    + name
                    + "); the first was "
                    + vmName
                    + " in "
                    + vmSource
                    + ". Run one VM per launcher.");
            continue;
          }
          vmSource = doc.source();
          vmName = name;
          vmNamespace = node.path("metadata").path("namespace").asText("");
          if (!node.path("spec").isObject()) {
            problems.add(vmSource + ": VirtualMachine " + name + " has no spec");
            continue;
          }
          vm = mapper.treeToValue(node.get("spec"), VirtualMachineSpec.class);
        } else if (ours && "Volume".equals(kind)) {
          volumes.put(name, spec(node, VolumeSpec.class));
        } else if (ours && "CloudInitConfig".equals(kind)) {
          cloudInits.put(name, spec(node, CloudInitConfigSpec.class));
        } else if ("v1".equals(apiVersion) && "Secret".equals(kind)) {
          secrets.put(name, secretData(node, doc.source(), problems));
        }
      } catch (IOException e) {
        problems.add(doc.source() + ": " + kind + " " + name + " is malformed: " + e.getMessage());
      }
    }
    if (vmSource == null && problems.isEmpty()) {
      problems.add("no VirtualMachine (apiVersion " + API_VERSION + ") in the manifests");
    }
    if (!problems.isEmpty()) {
      throw new ManifestException(String.join("\n", problems));
    }
    return new ManifestSet(
        vmNamespace.isBlank() ? "default" : vmNamespace, vmName, vm, volumes, cloudInits, secrets);
  }

  private <T> T spec(JsonNode node, Class<T> type) throws IOException {
    JsonNode spec = node.get("spec");
    return spec == null || spec.isNull() ? null : mapper.treeToValue(spec, type);
  }

  private static Map<String, String> secretData(
      JsonNode node, String source, List<String> problems) {
    Map<String, String> data = new LinkedHashMap<>();
    node.path("data")
        .fields()
        .forEachRemaining(
            e -> {
              try {
                data.put(
                    e.getKey(),
                    new String(
                        Base64.getMimeDecoder().decode(e.getValue().asText()),
                        StandardCharsets.UTF_8));
              } catch (IllegalArgumentException ex) {
                problems.add(source + ": Secret data." + e.getKey() + " is not base64");
              }
            });
    node.path("stringData")
        .fields()
        .forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
    return data;
  }
}
