package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** A NIC of the VM and the network it is attached to. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(self.type in ['bridge', 'macvtap']) || has(self.networkAttachment)",
    message = "bridge and macvtap networks need networkAttachment (a NetworkAttachmentDefinition)",
    fieldPath = ".networkAttachment",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "self.type in ['bridge', 'macvtap'] || !has(self.networkAttachment)",
    message = "networkAttachment is only used by bridge and macvtap networks",
    fieldPath = ".networkAttachment")
@ValidationRule(
    value = "self.type == 'nat' || !has(self.ports) || size(self.ports) == 0",
    message = "ports can only be forwarded on nat networks",
    fieldPath = ".ports")
@ValidationRule(
    value =
        "!has(self.ports) || self.ports.all(p, self.ports.exists_one(q, q.protocol == p.protocol"
            + " && (has(q.servicePort) ? q.servicePort : q.port) == (has(p.servicePort) ?"
            + " p.servicePort : p.port)))",
    message = "each servicePort (default: the guest port) and protocol may be used once",
    fieldPath = ".ports")
@ValidationRule(
    value =
        "!has(self.ports) || self.ports.all(p, !has(p.name) || self.ports.exists_one(q,"
            + " has(q.name) && q.name == p.name))",
    message = "port names must be unique",
    fieldPath = ".ports")
public record Network(
    @JsonPropertyDescription("Name of the NIC in this VM (a DNS label).")
        @Required
        @Pattern(Patterns.DNS_LABEL)
        @Size(max = 63)
        String name,
    @JsonPropertyDescription("nat (pod network), bridge, macvtap or isolated.") @Default("nat")
        NetworkType type,
    @JsonPropertyDescription(
            "Multus NetworkAttachmentDefinition for bridge and macvtap: name or namespace/name.")
        @Pattern(Patterns.NETWORK_ATTACHMENT)
        @Size(max = 317)
        String networkAttachment,
    @JsonPropertyDescription("NIC model the guest sees.") @Default("virtio") NicModel model,
    @JsonPropertyDescription(
            "Unicast MAC address. Default: a stable address derived from namespace, VM and NIC"
                + " name (prefix 52:54:00).")
        @Pattern(Patterns.UNICAST_MAC)
        @Size(max = 17)
        String macAddress,
    @JsonPropertyDescription(
            "Boot from this NIC (PXE) with this priority, 1 first; unique across disks and"
                + " networks.")
        @Min(1)
        @Max(64)
        Integer bootOrder,
    @JsonPropertyDescription("Guest ports to forward (nat only); each port and protocol once.")
        @Size(max = 32)
        @ListMapKeys({"port", "protocol"})
        List<Port> ports) {

  public NetworkType effectiveType() {
    return type == null ? NetworkType.NAT : type;
  }

  public NicModel effectiveModel() {
    return model == null ? NicModel.VIRTIO : model;
  }

  public List<Port> portsOrEmpty() {
    return ports == null ? List.of() : ports;
  }
}
