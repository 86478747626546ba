package io.fastvm.node.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One link of a pod's network namespace, as {@code ip -json -details link show} reports it.
 *
 * @param master the bridge it is a port of, null for none
 * @param tapUser whether it is a tap with an owning user (the agent's taps have a group only)
 * @param tapGroup the gid of its group when it is a tap whose group ip printed as a number, else
 *     null (ip prints a group's name where the agent's /etc/group has one: then unchecked)
 */
public record PodLink(
    String name, boolean up, int mtu, String master, boolean tap, boolean tapUser, Long tapGroup) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The links in {@code ip -json -details link show} output, by name. */
  public static Map<String, PodLink> parse(String json) throws IOException {
    Map<String, PodLink> links = new LinkedHashMap<>();
    for (JsonNode link : JSON.readTree(json)) {
      boolean up = false;
      for (JsonNode flag : link.path("flags")) {
        up |= flag.asText().equals("UP");
      }
      JsonNode info = link.path("linkinfo");
      boolean tap =
          info.path("info_kind").asText().equals("tun")
              && info.path("info_data").path("type").asText().equals("tap");
      JsonNode data = info.path("info_data");
      JsonNode group = data.path("group");
      String name = link.path("ifname").asText();
      links.put(
          name,
          new PodLink(
              name,
              up,
              link.path("mtu").asInt(),
              link.hasNonNull("master") ? link.path("master").asText() : null,
              tap,
              tap && data.has("user"),
              tap && group.canConvertToLong() ? group.asLong() : null));
    }
    return links;
  }
}
