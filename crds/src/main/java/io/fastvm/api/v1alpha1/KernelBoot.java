package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Direct kernel boot: QEMU loads kernel and initrd from Volumes, no bootloader needed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KernelBoot(
    @JsonPropertyDescription("Volume whose content is the kernel image (format raw).")
        @Required
        @Pattern(Patterns.OBJECT_NAME)
        @Size(max = 253)
        String kernel,
    @JsonPropertyDescription("Volume whose content is the initrd (format raw).")
        @Pattern(Patterns.OBJECT_NAME)
        @Size(max = 253)
        String initrd,
    @JsonPropertyDescription("Kernel command line.") @Size(max = 4096) String cmdline) {}
