package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** An image downloaded over HTTP(S), checked against its SHA-256 digest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.url.startsWith('https://') || has(self.sha256)",
    message = "a plain http url needs sha256 (nothing else protects the download)",
    fieldPath = ".sha256",
    reason = "FieldValueRequired")
public record HttpSource(
    @JsonPropertyDescription("http or https URL of the image (qcow2, raw or ISO).")
        @Required
        @Pattern(Patterns.HTTP_URL)
        @Size(max = 2048)
        String url,
    @JsonPropertyDescription("Expected SHA-256 of the downloaded file, lowercase hex.")
        @Pattern(Patterns.SHA256)
        String sha256) {}
