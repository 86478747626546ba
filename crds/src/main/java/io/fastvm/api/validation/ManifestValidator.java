package io.fastvm.api.validation;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks manifests of the fastvm kinds as the Kubernetes API server would on {@code kubectl apply}
 * with strict field validation: unknown fields, defaulting, metadata, OpenAPI schema and CEL
 * validation rules, against the committed CRDs. Never throws for bad input: every problem is a
 * {@link Violation}. Thread-safe once built.
 *
 * <pre>{@code
 * ManifestValidator validator = ManifestValidator.committed();
 * for (ManifestReport report : validator.validateYaml(Files.readString(path))) {
 *   report.violations().forEach(v -> System.err.println(report.kind() + " " + report.name() + ": " + v));
 * }
 * }</pre>
 */
public final class ManifestValidator {

  private static final YAMLMapper YAML =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private final CrdCatalog catalog;
  private final Map<String, KindValidator> validators = new LinkedHashMap<>();

  public ManifestValidator(CrdCatalog catalog) {
    this.catalog = catalog;
    for (String served : catalog.served()) {
      String[] apiVersionKind = served.split(" ");
      validators.put(
          served,
          new KindValidator(catalog.find(apiVersionKind[0], apiVersionKind[1]).orElseThrow()));
    }
  }

  /** A validator for the CRDs this module ships. */
  public static ManifestValidator committed() {
    return new ManifestValidator(CrdCatalog.committed());
  }

  /** True when the manifest's apiVersion and kind are one of the CRDs this validator knows. */
  public boolean knows(JsonNode manifest) {
    return validator(manifest).isPresent();
  }

  /** Violations of a new object (create). */
  public List<Violation> validate(JsonNode manifest) {
    return validateUpdate(manifest, null);
  }

  /**
   * Violations of an update from {@code oldManifest} to {@code manifest}; transition rules (those
   * using {@code oldSelf}) run only here. With a null old manifest this is {@link #validate}.
   */
  public List<Violation> validateUpdate(JsonNode manifest, JsonNode oldManifest) {
    if (manifest == null || !manifest.isObject()) {
      return List.of(Violation.internal("", "a manifest must be a YAML or JSON object"));
    }
    Optional<KindValidator> validator = validator(manifest);
    if (validator.isEmpty()) {
      return List.of(unknownKind(manifest));
    }
    if (oldManifest != null && !oldManifest.isObject()) {
      return List.of(Violation.internal("", "the old manifest must be a YAML or JSON object"));
    }
    return validator.get().validate(manifest, oldManifest);
  }

  /** Every document of a YAML text (separated by {@code ---}), each with its violations. */
  public List<ManifestReport> validateYaml(String yaml) {
    List<ManifestReport> reports = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (documents.hasNextValue()) {
        JsonNode document = documents.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          reports.add(new ManifestReport(reports.size(), document, validate(document)));
        }
      }
    } catch (IOException | RuntimeException e) {
      reports.add(
          new ManifestReport(
              reports.size(),
              MissingNode.getInstance(),
              List.of(Violation.internal("", "not valid YAML: " + e.getMessage()))));
    }
    return reports;
  }

  /**
   * The object the API server would store for this manifest: unknown fields pruned, status dropped
   * where a status subresource owns it, defaults applied. Unknown kinds come back as they are.
   */
  public JsonNode withDefaults(JsonNode manifest) {
    return validator(manifest)
        .<JsonNode>map(v -> v.normalize(manifest, new ArrayList<>()))
        .orElse(manifest);
  }

  /** Every CEL rule of every CRD that does not compile, as {@code kind location: problem}. */
  public List<String> ruleProblems() {
    List<String> problems = new ArrayList<>();
    validators.forEach(
        (kind, validator) ->
            validator.rules().all().stream()
                .filter(r -> r.program().isEmpty())
                .forEach(
                    r ->
                        problems.add(
                            kind
                                + " "
                                + r.location()
                                + " "
                                + r.rule().getRule()
                                + ": "
                                + r.problem())));
    return problems;
  }

  /** How many CEL rules the CRDs hold (compiled or not). */
  public int ruleCount() {
    return validators.values().stream().mapToInt(v -> v.rules().all().size()).sum();
  }

  private Optional<KindValidator> validator(JsonNode manifest) {
    if (manifest == null || !(manifest instanceof ObjectNode)) {
      return Optional.empty();
    }
    String key = manifest.path("apiVersion").asText("") + " " + manifest.path("kind").asText("");
    return Optional.ofNullable(validators.get(key));
  }

  private Violation unknownKind(JsonNode manifest) {
    String apiVersion = manifest.path("apiVersion").asText("");
    String kind = manifest.path("kind").asText("");
    if (apiVersion.isEmpty()) {
      return Violation.required("apiVersion", "");
    }
    if (kind.isEmpty()) {
      return Violation.required("kind", "");
    }
    return Violation.withValue(
        "kind",
        ViolationType.NOT_SUPPORTED,
        kind,
        "no matches for kind \""
            + kind
            + "\" in version \""
            + apiVersion
            + "\"; known: "
            + String.join(", ", catalog.served()));
  }
}
