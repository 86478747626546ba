package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Reference to a CloudInitConfig in the VM's namespace; the guest sees its seed as a CD-ROM. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudInitRef(
    @JsonPropertyDescription("Name of the CloudInitConfig.")
        @Required
        @Pattern(Patterns.OBJECT_NAME)
        @Size(max = 253)
        String name) {}
