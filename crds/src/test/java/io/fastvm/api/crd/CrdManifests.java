package io.fastvm.api.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.ListMapKeys;
import io.fastvm.api.v1alpha1.Snapshot;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates the CRD YAML of the four kinds from the Java model with the fabric8 CRD generator.
 *
 * <p>The generator sorts printer columns by JSON path; kubectl shows them in list order, so they
 * are put back in the order the model declares them (Status first, Age last). Lists marked with
 * {@link ListMapKeys} become associative lists.
 *
 * <p>{@code main(dir)} writes the files; {@code ./mvnw -pl crds process-test-classes -Pupdate-crds}
 * runs it into {@code crds/manifests}.
 */
public final class CrdManifests {

  public static final List<Class<? extends HasMetadata>> KINDS =
      List.of(VirtualMachine.class, Volume.class, Snapshot.class, CloudInitConfig.class);

  private static final String HEADER =
      "# Generated from the Java model in io.fastvm.api.v1alpha1. Do not edit.\n"
          + "# Regenerate: ./mvnw -pl crds process-test-classes -Pupdate-crds\n";

  private CrdManifests() {}

  /** File name (e.g. {@code virtualmachines.fastvm.io.yaml}) to YAML content. */
  public static Map<String, String> generate() {
    Map<String, ByteArrayOutputStream> outputs = new TreeMap<>();
    new CRDGenerator()
        .forCRDVersions("v1")
        .withParallelGenerationEnabled(false)
        .withPostProcessor(new ModelExtensions())
        .withOutput(
            new CRDGenerator.CRDOutput<ByteArrayOutputStream>() {
              @Override
              public ByteArrayOutputStream outputFor(String crdName) {
                return outputs.computeIfAbsent(crdName, n -> new ByteArrayOutputStream());
              }

              @Override
              public void close() {}
            })
        .customResourceClasses(KINDS)
        .generate();
    Map<String, String> files = new TreeMap<>();
    outputs.forEach(
        (crdName, bytes) -> {
          String yaml = bytes.toString(StandardCharsets.UTF_8);
          // Drop the generator's own banner; ours says how to regenerate.
          yaml = yaml.lines().dropWhile(l -> l.startsWith("#")).reduce("", (a, l) -> a + l + "\n");
          files.put(fileName(crdName), HEADER + yaml);
        });
    return files;
  }

  /** {@code virtualmachines.fastvm.io-v1} becomes {@code virtualmachines.fastvm.io.yaml}. */
  static String fileName(String crdOutputName) {
    return crdOutputName.replaceFirst("-v1$", "") + ".yaml";
  }

  /** Writes the CRDs into each given folder (crds/manifests and the Helm chart's crds/). */
  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: CrdManifests OUTPUT_DIR...");
    }
    Map<String, String> files = generate();
    for (String arg : args) {
      Path dir = Path.of(arg);
      Files.createDirectories(dir);
      for (Map.Entry<String, String> file : files.entrySet()) {
        Files.writeString(dir.resolve(file.getKey()), file.getValue());
        System.out.println("wrote " + dir.resolve(file.getKey()));
      }
    }
  }

  /**
   * What the fabric8 generator cannot express from annotations: the declaration order of {@link
   * AdditionalPrinterColumn}s, and associative lists marked with {@link ListMapKeys}.
   */
  private static final class ModelExtensions implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      CustomResourceDefinition definition = (CustomResourceDefinition) crd;
      Class<?> kind =
          KINDS.stream()
              .filter(k -> k.getSimpleName().equals(definition.getSpec().getNames().getKind()))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("unknown kind in " + crd));
      List<String> declared =
          Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
              .map(AdditionalPrinterColumn::name)
              .toList();
      for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
        List<CustomResourceColumnDefinition> columns =
            new ArrayList<>(version.getAdditionalPrinterColumns());
        columns.sort(Comparator.comparingInt(c -> declared.indexOf(c.getName())));
        version.setAdditionalPrinterColumns(columns);
        JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        markListMaps(specClass(kind), spec);
      }
      return definition;
    }

    private static Class<?> specClass(Class<?> kind) {
      ParameterizedType type = (ParameterizedType) kind.getGenericSuperclass();
      return (Class<?>) type.getActualTypeArguments()[0];
    }

    /** Walks the record tree of the model beside its schema. */
    private static void markListMaps(Class<?> type, JSONSchemaProps schema) {
      if (!type.isRecord() || schema == null || schema.getProperties() == null) {
        return;
      }
      for (RecordComponent component : type.getRecordComponents()) {
        JSONSchemaProps property = schema.getProperties().get(component.getName());
        if (property == null) {
          continue;
        }
        Class<?> element = component.getType();
        if (List.class.isAssignableFrom(element)
            && component.getGenericType() instanceof ParameterizedType list
            && list.getActualTypeArguments()[0] instanceof Class<?> item) {
          ListMapKeys keys = component.getAnnotation(ListMapKeys.class);
          if (keys != null) {
            property.setXKubernetesListType("map");
            property.setXKubernetesListMapKeys(List.of(keys.value()));
          }
          markListMaps(item, property.getItems().getSchema());
        } else {
          markListMaps(element, property);
        }
      }
    }
  }
}
