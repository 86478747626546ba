package io.fastvm.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fastvm.api.validation.CrdCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a cluster admin and kubectl users see of the committed CRDs. */
class CrdDefinitionsTest {

  /**
   * Short names of KubeVirt and CDI, CSI snapshots and core Kubernetes, which ours must not take.
   */
  static final Set<String> TAKEN_SHORT_NAMES =
      Set.of(
          "vm",
          "vms",
          "vmi",
          "vmis",
          "vmsnapshot",
          "vmsnapshots",
          "vmsnap",
          "vmsnaps",
          "vmsnapshotcontent",
          "vmsnapshotcontents",
          "vmrestore",
          "vmrestores",
          "vmirs",
          "vmirss",
          "vmim",
          "vmims",
          "vmpool",
          "vmpools",
          "vmexport",
          "vmexports",
          "vmclone",
          "vmclones",
          "vmf",
          "vmfs",
          "vminstancetype",
          "vminstancetypes",
          "vmcf",
          "vmcfs",
          "vmclusterinstancetype",
          "vmclusterinstancetypes",
          "vmp",
          "vmps",
          "vmpref",
          "vmprefs",
          "vmcp",
          "vmcps",
          "vmclusterpref",
          "vmclusterprefs",
          "kv",
          "kvs",
          "dv",
          "dvs",
          "das",
          "dic",
          "dics",
          "cdi",
          "cdis",
          "ot",
          "ots",
          "vs",
          "vsc",
          "vscs",
          "vsclass",
          "vsclasses",
          "po",
          "pv",
          "pvc",
          "svc",
          "sc",
          "cm",
          "ns",
          "no",
          "ep",
          "ev",
          "sa",
          "rc",
          "rs",
          "ds",
          "sts",
          "deploy",
          "hpa",
          "ing",
          "netpol",
          "pdb",
          "pc",
          "crd",
          "crds",
          "csr",
          "quota",
          "limits",
          "cj",
          "job",
          "vol",
          "snap",
          "snapshot",
          "ci");

  static Stream<CustomResourceDefinition> committedCrds() {
    return CrdCatalog.committed().crds().stream();
  }

  @Test
  void theFourKindsShipInTheJarAndMatchTheManifestsFolder() throws IOException {
    List<String> files;
    try (Stream<Path> list = Files.list(CommittedCrdsTest.MANIFESTS)) {
      files = list.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(committedCrds().map(c -> c.getMetadata().getName() + ".yaml").sorted())
        .containsExactlyElementsOf(files);
    assertThat(committedCrds().map(c -> c.getSpec().getNames().getKind()))
        .containsExactlyInAnyOrder("VirtualMachine", "Volume", "Snapshot", "CloudInitConfig");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifestFiles")
  void deserializesAsApiextensionsV1(Path file) throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class);
    assertThat(crd.getApiVersion()).isEqualTo("apiextensions.k8s.io/v1");
    assertThat(crd.getKind()).isEqualTo("CustomResourceDefinition");
    assertThat(crd.getSpec().getGroup()).isEqualTo("fastvm.io");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getMetadata().getName())
        .isEqualTo(crd.getSpec().getNames().getPlural() + "." + crd.getSpec().getGroup());
    assertThat(crd.getSpec().getVersions())
        .extracting(CustomResourceDefinitionVersion::getName)
        .containsExactly("v1alpha1");
    assertThat(crd.getSpec().getVersions().getFirst().getStorage()).isTrue();
    assertThat(crd.getSpec().getVersions().getFirst().getServed()).isTrue();
  }

  static Stream<Path> manifestFiles() throws IOException {
    try (Stream<Path> list = Files.list(CommittedCrdsTest.MANIFESTS)) {
      return list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("committedCrds")
  void hasAStructuralSchema(CustomResourceDefinition crd) {
    JSONSchemaProps schema = version(crd).getSchema().getOpenAPIV3Schema();
    assertThat(StructuralSchema.problems(schema)).isEmpty();
  }

  @Test
  void theStructuralCheckFindsWhatTheApiServerRejects() {
    JSONSchemaProps bad =
        Serialization.unmarshal(
            """
            type: object
            properties:
              untyped: {description: no type}
              closed: {type: object, additionalProperties: false}
              both: {type: object, properties: {a: {type: string}}, additionalProperties: {type: string}}
              unique: {type: array, uniqueItems: true, items: {type: string}}
              ref: {$ref: "#/definitions/x"}
              metadata: {type: object, properties: {labels: {type: object}}}
              fine: {x-kubernetes-int-or-string: true}
            """,
            JSONSchemaProps.class);
    assertThat(StructuralSchema.problems(bad))
        .hasSize(7)
        .anySatisfy(p -> assertThat(p).startsWith("untyped:"))
        .anySatisfy(p -> assertThat(p).startsWith("closed:"))
        .anySatisfy(p -> assertThat(p).startsWith("both:"))
        .anySatisfy(p -> assertThat(p).startsWith("unique:"))
        .anySatisfy(p -> assertThat(p).startsWith("ref:"))
        .anySatisfy(p -> assertThat(p).startsWith("metadata:"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("committedCrds")
  void hasTheStatusSubresource(CustomResourceDefinition crd) {
    assertThat(version(crd).getSubresources().getStatus()).isNotNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("committedCrds")
  void shortNamesAreOursAlone(CustomResourceDefinition crd) {
    List<String> shortNames = crd.getSpec().getNames().getShortNames();
    assertThat(shortNames).isNotEmpty().doesNotContainAnyElementsOf(TAKEN_SHORT_NAMES);
    assertThat(shortNames).allSatisfy(s -> assertThat(s).matches("[a-z]+"));
  }

  @Test
  void shortNamesDoNotCollideAcrossOurKinds() {
    List<String> all =
        committedCrds().flatMap(c -> c.getSpec().getNames().getShortNames().stream()).toList();
    assertThat(all).doesNotHaveDuplicates();
  }

  @Test
  void printerColumnsShowWhatMattersFirst() {
    Map<String, List<String>> expected =
        Map.of(
            "VirtualMachine", List.of("Status", "Node", "IP", "CPUs", "Memory", "Age"),
            "Volume", List.of("Phase", "Size", "Format", "Progress"),
            "Snapshot", List.of("Source", "Phase", "Age"));
    expected.forEach(
        (kind, columns) -> {
          CustomResourceDefinition crd =
              committedCrds()
                  .filter(c -> c.getSpec().getNames().getKind().equals(kind))
                  .findFirst()
                  .orElseThrow();
          List<String> shown =
              version(crd).getAdditionalPrinterColumns().stream()
                  .filter(c -> c.getPriority() == null || c.getPriority() == 0)
                  .map(CustomResourceColumnDefinition::getName)
                  .toList();
          assertThat(shown)
              .as("kubectl get %s columns", kind)
              .startsWith(columns.toArray(String[]::new));
          assertThat(shown).as("Age comes last").endsWith("Age");
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("committedCrds")
  void printerColumnsPointIntoTheSchema(CustomResourceDefinition crd) {
    JSONSchemaProps root = version(crd).getSchema().getOpenAPIV3Schema();
    for (CustomResourceColumnDefinition column : version(crd).getAdditionalPrinterColumns()) {
      if (column.getJsonPath().startsWith(".metadata.")) {
        continue;
      }
      JSONSchemaProps node = root;
      for (String step : column.getJsonPath().substring(1).split("\\.")) {
        node = node.getProperties().get(step);
        assertThat(node)
            .as("%s column %s", crd.getMetadata().getName(), column.getJsonPath())
            .isNotNull();
      }
      assertThat(node.getType())
          .as("type of column %s", column.getName())
          .isEqualTo(column.getType());
    }
  }

  static CustomResourceDefinitionVersion version(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().getFirst();
  }
}
