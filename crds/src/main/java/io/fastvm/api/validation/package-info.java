/**
 * Checks manifests of the fastvm kinds as the Kubernetes API server would, against the committed
 * CRDs, without a cluster: {@code fastvm run} uses it before it boots a local manifest, and the
 * tests use it on every example.
 *
 * <pre>{@code
 * ManifestValidator validator = ManifestValidator.committed();
 * List<Violation> violations = validator.validate(manifest);              // create
 * List<Violation> changes = validator.validateUpdate(manifest, stored);   // update: also oldSelf rules
 * List<ManifestReport> reports = validator.validateYaml(text);            // every --- document
 * JsonNode stored = validator.withDefaults(manifest);                     // pruned and defaulted
 * }</pre>
 *
 * <p>The pipeline, in the API server's order: unknown fields are reported and pruned ({@link
 * io.fastvm.api.validation.UnknownFields}), status is dropped where a status subresource owns it,
 * schema defaults are applied ({@link io.fastvm.api.validation.Defaulter}), then metadata ({@link
 * io.fastvm.api.validation.ObjectMetaValidator}), the OpenAPI schema ({@link
 * io.fastvm.api.validation.OpenApiSchemaValidator}) and, unless those found type, enum, required or
 * size errors, the CEL rules ({@link io.fastvm.api.validation.CelRules}) are checked.
 */
package io.fastvm.api.validation;
