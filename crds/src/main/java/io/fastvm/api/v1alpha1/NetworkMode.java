package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a cloud-init guest configures its network. */
public enum NetworkMode {
  @JsonProperty("dhcp")
  DHCP,
  @JsonProperty("static")
  STATIC
}
