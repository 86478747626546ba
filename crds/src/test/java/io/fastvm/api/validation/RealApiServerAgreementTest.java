package io.fastvm.api.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fastvm.testcluster.ControlPlane;
import io.fastvm.testcluster.RealApiServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed CRDs on a <b>real</b> kube-apiserver (dev/kube): each becomes Established (its CEL
 * rules compile within the server's cost budget, or the server refuses the CRD); every example and
 * valid manifest is accepted by a server-side dry run and a real create; every invalid manifest is
 * refused, naming its field. The project's own validator ({@link ManifestValidator}, which `fastvm
 * run` and the launcher use) must agree with the server on every case: the same verdict and the
 * same fields.
 */
@ExtendWith(RealApiServer.class)
class RealApiServerAgreementTest {

  static final String NAMESPACE = "crd-agreement";
  static KubernetesClient client;

  @BeforeAll
  static void installCrds(ControlPlane cluster) {
    client = cluster.admin();
    for (CustomResourceDefinition crd : CrdCatalog.committed().crds()) {
      client.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
    }
    // The examples reference Multus networks: a minimal NetworkAttachmentDefinition CRD (Multus's
    // own has the same group, names and a free-form spec.config).
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(
            Serialization.unmarshal(
                """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: network-attachment-definitions.k8s.cni.cncf.io}
                spec:
                  group: k8s.cni.cncf.io
                  scope: Namespaced
                  names:
                    plural: network-attachment-definitions
                    singular: network-attachment-definition
                    kind: NetworkAttachmentDefinition
                    shortNames: [net-attach-def]
                  versions:
                    - name: v1
                      served: true
                      storage: true
                      schema:
                        openAPIV3Schema:
                          type: object
                          properties:
                            spec:
                              type: object
                              properties:
                                config: {type: string}
                """,
                CustomResourceDefinition.class))
        .serverSideApply();
    for (CustomResourceDefinition crd :
        client.apiextensions().v1().customResourceDefinitions().list().getItems()) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd.getMetadata().getName())
          .waitUntilCondition(RealApiServerAgreementTest::established, 60, TimeUnit.SECONDS);
    }
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  @Test
  void everyCrdIsEstablishedWithItsNamesAccepted() {
    for (CustomResourceDefinition crd : CrdCatalog.committed().crds()) {
      CustomResourceDefinition stored =
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(crd.getMetadata().getName())
              .get();
      assertThat(stored.getStatus().getConditions())
          .as(crd.getMetadata().getName())
          .anySatisfy(
              c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Established=True"))
          .anySatisfy(
              c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("NamesAccepted=True"))
          .noneSatisfy(
              c ->
                  assertThat(c.getType() + "=" + c.getStatus())
                      .isEqualTo("NonStructuralSchema=True"));
    }
  }

  static Stream<Path> acceptedFiles() {
    return Stream.concat(
        ManifestFiles.yamlFiles(ValidManifestsTest.EXAMPLES).stream(),
        ManifestFiles.yamlFiles(ValidManifestsTest.VALID).stream());
  }

  static Stream<Path> invalidFiles() {
    return ManifestFiles.yamlFiles(InvalidManifestsTest.INVALID).stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("acceptedFiles")
  void isAcceptedByADryRunAndARealCreate(Path file) {
    String namespace = namespaceFor(file);
    for (JsonNode document : ManifestFiles.documents(file)) {
      String what = document.path("kind").asText() + " " + document.path("metadata").path("name");
      // Both the server and the project's validator accept it (the validator only judges ours).
      if (ManifestFiles.VALIDATOR.knows(document)) {
        assertThat(ManifestFiles.VALIDATOR.validate(document)).as(what).isEmpty();
      }
      try {
        resource(document, namespace, true).create();
        GenericKubernetesResource created = resource(document, namespace, false).create();
        assertThat(created.getMetadata().getUid()).as(what).isNotBlank();
      } catch (KubernetesClientException e) {
        fail("the real API server refused " + what + " of " + file + ": " + e.getMessage());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void isRefusedByTheRealServerNamingTheSameFieldsAsTheValidator(Path file) {
    String text = ManifestFiles.read(file);
    List<JsonNode> documents = ManifestFiles.documents(file);
    boolean update = text.lines().anyMatch(l -> l.startsWith("# update:"));
    String namespace = namespaceFor(file);
    List<Violation> ours;
    Refusal refusal;
    if (update) {
      JsonNode stored = documents.get(0);
      JsonNode changed = documents.get(1);
      GenericKubernetesResource created = resource(stored, namespace, false).create();
      ObjectNode next = changed.deepCopy();
      ((ObjectNode) next.path("metadata"))
          .put("resourceVersion", created.getMetadata().getResourceVersion());
      ours = ManifestFiles.VALIDATOR.validateUpdate(changed, stored);
      refusal = refusalOf(next, () -> resource(next, namespace, false).update());
    } else {
      JsonNode document = documents.get(0);
      ours = ManifestFiles.VALIDATOR.validate(document);
      refusal = refusalOf(document, () -> resource(document, namespace, true).create());
    }
    assertThat(refusal).as("the real API server accepted %s", file).isNotNull();
    Set<String> ourFields =
        ours.stream().map(Violation::field).collect(Collectors.toCollection(TreeSet::new));
    assertThat(refusal.fields())
        .as(
            "fields named by the real server (%s) and by the validator (%s) for %s",
            refusal.message(), ours, file)
        .isEqualTo(ourFields);
    for (InvalidManifestsTest.Expectation expected : InvalidManifestsTest.expectations(text)) {
      assertThat(refusal.fields())
          .as("the server names %s", expected.field())
          .contains(expected.field());
      assertThat(refusal.message()).contains(expected.fragment());
    }
  }

  /** Each file gets a namespace of its own, so names never clash across files. */
  private static String namespaceFor(Path file) {
    String name =
        (file.getParent().getFileName() + "-" + file.getFileName())
            .replace(".yaml", "")
            .replaceAll("[^a-z0-9-]", "-");
    String namespace = name.length() > 60 ? name.substring(0, 60) : name;
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .serverSideApply();
    return namespace;
  }

  private static NonDeletingOperation<GenericKubernetesResource> resource(
      JsonNode document, String namespace, boolean dryRun) {
    GenericKubernetesResource object =
        Serialization.jsonMapper().convertValue(document, GenericKubernetesResource.class);
    // Strict, as kubectl is: an unknown field is an error, not silently dropped.
    var resource =
        client
            .genericKubernetesResources(object.getApiVersion(), object.getKind())
            .inNamespace(namespace)
            .resource(object);
    return (dryRun ? resource.dryRun() : resource)
        .fieldValidation(FieldValidateable.Validation.STRICT);
  }

  /** The fields a refusal names (empty for the object itself) and the server's message. */
  record Refusal(Set<String> fields, String message) {}

  /**
   * The server's verdict on {@code call}: null if it accepted, else what it named. A kind it does
   * not serve is refused by discovery, as kubectl reports it ("no matches for kind").
   */
  private static Refusal refusalOf(JsonNode document, Runnable call) {
    String apiVersion = document.path("apiVersion").asText();
    String kind = document.path("kind").asText();
    var served = client.getApiResources(apiVersion);
    if (served == null || served.getResources().stream().noneMatch(r -> r.getKind().equals(kind))) {
      return new Refusal(
          Set.of("kind"), "no matches for kind \"" + kind + "\" in version \"" + apiVersion + "\"");
    }
    try {
      call.run();
      return null;
    } catch (KubernetesClientException e) {
      return new Refusal(fieldsNamed(e), String.valueOf(e.getMessage()));
    }
  }

  private static final Pattern UNKNOWN_FIELD = Pattern.compile("unknown field \"([^\"]+)\"");

  /**
   * The fields a refusal names: its causes (422 Invalid; Go's {@code <nil>} is the object itself),
   * or the unknown fields of a strict decoding error (400).
   */
  static Set<String> fieldsNamed(KubernetesClientException e) {
    Set<String> fields = new TreeSet<>();
    if (e.getStatus() != null && e.getStatus().getDetails() != null) {
      for (StatusCause cause : e.getStatus().getDetails().getCauses()) {
        String field = cause.getField() == null ? "" : cause.getField();
        fields.add(field.equals("<nil>") ? "" : field.replaceFirst("^\\.", ""));
      }
    }
    Matcher m = UNKNOWN_FIELD.matcher(String.valueOf(e.getMessage()));
    while (m.find()) {
      fields.add(m.group(1).replaceFirst("^\\.", ""));
    }
    return fields;
  }
}
