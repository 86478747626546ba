package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** What cloud-init does on first boot; rendered to a NoCloud seed (volume id cidata). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudInitConfigSpec(
    @JsonPropertyDescription("Hostname of the guest. Default: the VM's name.")
        @Pattern(Patterns.HOSTNAME)
        @Size(max = 63)
        String hostname,
    @JsonPropertyDescription("Users to create. Names are unique.")
        @Size(max = 32)
        @ListMapKeys("name")
        List<GuestUser> users,
    @JsonPropertyDescription("Packages to install, e.g. qemu-guest-agent, spice-vdagent.")
        @Size(max = 128)
        List<@Pattern(Patterns.PACKAGE) String> packages,
    @JsonPropertyDescription("Refresh and upgrade packages on first boot.") @Default("false")
        Boolean packageUpgrade,
    @JsonPropertyDescription("Network of the first NIC. Default: DHCP.") GuestNetwork network,
    @JsonPropertyDescription(
            "Raw user-data (#cloud-config or a script). With users or packages it is added as a"
                + " second part of a MIME multi-part user-data.")
        @Size(max = 262144)
        String userData) {}
