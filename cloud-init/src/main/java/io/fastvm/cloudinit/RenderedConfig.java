package io.fastvm.cloudinit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fastvm.api.v1alpha1.GuestNetwork;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a CloudInitConfig renders before any VM uses it ({@link NoCloudRenderer#config}); the
 * operator keeps it in the CloudInitConfig's Secret ({@link #toSecretData}) and renders each VM's
 * seed from it, so a VM never sees a spec newer than the user-data beside it.
 *
 * @param userData the rendered user-data, passwords hashed
 * @param hostname the configured hostname, or null for the VM's name
 * @param network settings of the first NIC, or null for DHCP
 */
public record RenderedConfig(String userData, String hostname, GuestNetwork network) {
  public static final String USER_DATA = NoCloudSeed.USER_DATA;
  public static final String HOSTNAME = "hostname";
  public static final String NETWORK = "network.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The Secret's string data. */
  public Map<String, String> toSecretData() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(USER_DATA, userData);
    if (hostname != null) {
      data.put(HOSTNAME, hostname);
    }
    if (network != null) {
      try {
        data.put(NETWORK, JSON.writeValueAsString(network));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return data;
  }

  /**
   * Reads {@link #toSecretData} back.
   *
   * @throws IllegalArgumentException when the data is not such a Secret's
   */
  public static RenderedConfig fromSecretData(Map<String, String> data) {
    String userData = data.get(USER_DATA);
    if (userData == null) {
      throw new IllegalArgumentException("no " + USER_DATA);
    }
    GuestNetwork network = null;
    if (data.get(NETWORK) != null) {
      try {
        network = JSON.readValue(data.get(NETWORK), GuestNetwork.class);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            NETWORK + " is not a network: " + e.getOriginalMessage());
      }
    }
    return new RenderedConfig(userData, data.get(HOSTNAME), network);
  }

  /** SHA-256 (hex) of all of it: changes exactly when the seeds rendered from it do. */
  public String hash() {
    try {
      return NoCloudRenderer.sha256(JSON.writeValueAsString(toSecretData()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
