package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** A user cloud-init creates in the guest. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GuestUser(
    @JsonPropertyDescription("Login name.") @Required @Pattern(Patterns.LINUX_USER) @Size(max = 32)
        String name,
    @JsonPropertyDescription(
            "Secret key holding the password (plain text; the seed only carries its SHA-512"
                + " crypt hash).")
        SecretKeyRef passwordSecretRef,
    @JsonPropertyDescription("SSH public keys allowed to log in.") @Size(max = 64)
        List<String> sshAuthorizedKeys,
    @JsonPropertyDescription("Password-less sudo.") @Default("false") Boolean sudo,
    @JsonPropertyDescription("Supplementary groups.") @Size(max = 32) List<String> groups,
    @JsonPropertyDescription("Login shell. Default: /bin/bash.")
        @Pattern("^/[A-Za-z0-9/._-]+$")
        @Size(max = 255)
        String shell) {}
