package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum PortProtocol {
  @JsonProperty("TCP")
  TCP,
  @JsonProperty("UDP")
  UDP
}
