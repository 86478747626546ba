package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A clone of another Volume in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VolumeCloneSource(
    @JsonPropertyDescription("Name of the source Volume.")
        @Required
        @Pattern(Patterns.OBJECT_NAME)
        @Size(max = 253)
        String name,
    @JsonPropertyDescription(
            "overlay: a qcow2 overlay backed by the source (seconds, the source must stay);"
                + " copy: a full independent copy.")
        @Default("copy")
        CloneMode mode) {}
