package io.fastvm.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The API server's create/update pipeline for one served version of one CRD: prune unknown fields
 * (reporting them), drop status where a status subresource owns it, default, then validate
 * metadata, the OpenAPI schema, associative lists and, unless those found errors that make rules
 * unsafe, the CEL rules.
 */
final class KindValidator {

  /** Errors after which the API server does not run CEL rules (hasBlockingErr in k8s). */
  private static final Set<ViolationType> BLOCKING =
      EnumSet.of(
          ViolationType.NOT_SUPPORTED,
          ViolationType.REQUIRED,
          ViolationType.TOO_LONG,
          ViolationType.TOO_MANY,
          ViolationType.TYPE_INVALID);

  static final String RULES_SKIPPED =
      "some validation rules were not checked because the object was invalid; correct the"
          + " existing errors to complete validation";

  private final JSONSchemaProps schema;
  private final boolean statusSubresource;
  private final OpenApiSchemaValidator schemaValidator;
  private final CelRules rules;

  KindValidator(CrdCatalog.ServedVersion served) {
    CustomResourceDefinitionVersion version = served.version();
    this.schema = version.getSchema().getOpenAPIV3Schema();
    this.statusSubresource =
        version.getSubresources() != null && version.getSubresources().getStatus() != null;
    this.schemaValidator = new OpenApiSchemaValidator(schema);
    this.rules = new CelRules(schema, served.kind());
  }

  CelRules rules() {
    return rules;
  }

  /** The object as the API server would store it: unknown fields pruned, defaults applied. */
  ObjectNode normalize(JsonNode manifest, List<Violation> out) {
    ObjectNode object = (ObjectNode) manifest.deepCopy();
    UnknownFields.prune(object, schema, out);
    if (statusSubresource) {
      // On the main resource the API server ignores status; only /status may set it.
      object.remove("status");
    }
    Defaulter.apply(object, schema);
    return object;
  }

  List<Violation> validate(JsonNode manifest, JsonNode oldManifest) {
    List<Violation> out = new ArrayList<>();
    ObjectNode object = normalize(manifest, out);
    if (!out.isEmpty()) {
      // Strict field validation fails while decoding, before any schema check: the server names
      // the unknown fields and nothing else.
      return out;
    }
    ObjectMetaValidator.validate(object.path("metadata"), out);
    schemaValidator.validate(object, out);
    ListTypes.validate(object, schema, "", out);
    if (out.stream().anyMatch(v -> BLOCKING.contains(v.type()))) {
      out.add(new Violation("", ViolationType.INVALID, "Invalid value: null: " + RULES_SKIPPED));
      return out;
    }
    JsonNode old = oldManifest == null ? null : normalize(oldManifest, new ArrayList<>());
    rules.validate(object, old, schema, out);
    return out;
  }
}
