package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A key of a Secret in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecretKeyRef(
    @JsonPropertyDescription("Name of the Secret.")
        @Required
        @Pattern(Patterns.OBJECT_NAME)
        @Size(max = 253)
        String name,
    @JsonPropertyDescription("Key in the Secret.")
        @Default("password")
        @Pattern("^[-._a-zA-Z0-9]+$")
        @Size(max = 253)
        String key) {}
