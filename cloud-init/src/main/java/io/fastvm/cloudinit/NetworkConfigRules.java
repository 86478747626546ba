package io.fastvm.cloudinit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fastvm.api.v1alpha1.GuestNetwork;
import io.fastvm.api.v1alpha1.NetworkMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the network-config version 2 the renderer produced. Debian 12's cloud-init 22.4 ships no
 * schema for it (its {@code cloud-init schema} reads only cloud-config), so these are hand rules,
 * only for what fastvm renders: {@code version: 2} and an {@code ethernets} mapping whose entries
 * match a NIC by lower-case MAC, name it, and use DHCP or static addresses, gateways and DNS.
 * Problems of the first entry name the spec.network field they come from; the other entries are the
 * VM's further NICs, always DHCP.
 */
final class NetworkConfigRules {
  private NetworkConfigRules() {}

  private static final Set<String> ENTRY_KEYS =
      Set.of(
          "match",
          "set-name",
          "dhcp4",
          "dhcp6",
          "addresses",
          "gateway4",
          "gateway6",
          "nameservers");

  private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
  private static final Pattern DNS_LABEL =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  static List<SeedProblem> check(String networkConfig) {
    List<SeedProblem> out = new ArrayList<>();
    CloudConfigYaml.Document doc;
    try {
      doc = CloudConfigYaml.parse(networkConfig);
    } catch (CloudConfigYaml.SyntaxError e) {
      out.add(network("network-config line " + e.line + ": " + e.getMessage()));
      return out;
    }
    return check(doc.root(), doc.written());
  }

  /**
   * Checks spec.network on its own, as the first NIC's entry the renderer would write for it: for
   * the check of a CloudInitConfig before any VM (and so any MAC) is known.
   */
  static List<SeedProblem> check(GuestNetwork network) {
    ObjectNode root = JsonNodeFactory.instance.objectNode().put("version", 2);
    ObjectNode nic = root.putObject("ethernets").putObject("nic0");
    nic.putObject("match").put("macaddress", "52:54:00:00:00:01");
    nic.put("set-name", "eth0");
    boolean dhcp = network.mode() != NetworkMode.STATIC;
    nic.put("dhcp4", dhcp);
    if (network.address() != null) {
      nic.putArray("addresses").add(network.address());
    }
    if (network.gateway() != null) {
      boolean v6 = IpAddress.parse(network.gateway()).map(a -> !a.isV4()).orElse(false);
      nic.put(v6 ? "gateway6" : "gateway4", network.gateway());
    }
    ObjectNode dns = nic.putObject("nameservers");
    ArrayNode servers = dns.putArray("addresses");
    (network.nameservers() == null ? List.<String>of() : network.nameservers())
        .forEach(servers::add);
    ArrayNode search = dns.putArray("search");
    (network.searchDomains() == null ? List.<String>of() : network.searchDomains())
        .forEach(search::add);
    return check(root, Map.of());
  }

  /**
   * @param written source text of numbers and booleans by JSON pointer ({@link
   *     CloudConfigYaml.Document#written})
   */
  private static List<SeedProblem> check(JsonNode root, Map<String, String> written) {
    List<SeedProblem> out = new ArrayList<>();
    String prefix = "";
    if (root != null && root.isObject() && !root.has("version") && root.has("network")) {
      root = root.get("network"); // cloud-init reads both forms
      prefix = "/network";
    }
    if (root == null || !root.isObject()) {
      out.add(network("network-config must be a YAML mapping with version: 2 and ethernets"));
      return out;
    }
    if (!root.path("version").isIntegralNumber() || root.path("version").asInt() != 2) {
      out.add(network("network-config version must be 2, not " + shown(root.get("version"))));
    }
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (!Set.of("version", "ethernets").contains(e.getKey())) {
        out.add(network("network-config has key " + e.getKey() + "; allowed: version, ethernets"));
      }
    }
    JsonNode ethernets = root.path("ethernets");
    if (!ethernets.isObject() || ethernets.isEmpty()) {
      out.add(network("network-config needs an ethernets mapping with one entry per NIC"));
      return out;
    }
    int n = 0;
    for (Map.Entry<String, JsonNode> e : ethernets.properties()) {
      String pointer = prefix + "/ethernets/" + CloudConfigYaml.escape(e.getKey());
      new Entry(e.getKey(), e.getValue(), n++ == 0, pointer, written, out).check();
    }
    return out;
  }

  /** One ethernets entry; {@code first} is the NIC spec.network configures. */
  private record Entry(
      String name,
      JsonNode node,
      boolean first,
      String pointer,
      Map<String, String> written,
      List<SeedProblem> out) {

    void check() {
      if (!node.isObject()) {
        problem("spec.network", "", "must be a mapping, not " + shown(node));
        return;
      }
      node.fieldNames()
          .forEachRemaining(
              k -> {
                if (!ENTRY_KEYS.contains(k)) {
                  problem(
                      "spec.network",
                      "",
                      "has key " + k + "; allowed: " + String.join(", ", ENTRY_KEYS));
                }
              });
      mac();
      setName();
      boolean dhcp4 = flag("dhcp4");
      boolean dhcp6 = flag("dhcp6");
      List<IpAddress.Cidr> addresses = addresses(!dhcp4 && !dhcp6);
      gateway("gateway4", true, addresses);
      gateway("gateway6", false, addresses);
      nameservers();
    }

    private void mac() {
      JsonNode mac = node.path("match").path("macaddress");
      String number = written.get(pointer + "/match/macaddress");
      if (number != null) {
        // PyYAML reads 52:54:00:12:34:56 as a base-60 integer; cloud-init then fails on it.
        problem(
            "spec.network",
            ".match.macaddress",
            number
                + " is not quoted, and YAML 1.1 reads it as the number "
                + mac.asText()
                + ": a MAC address must be written as a quoted string");
        return;
      }
      if (!mac.isTextual()) {
        problem(
            "spec.network",
            ".match.macaddress",
            "is missing: each entry matches its NIC by MAC address (set-name needs a match)");
        return;
      }
      String text = mac.asText();
      if (!MAC.matcher(text).matches()) {
        problem(
            "spec.network",
            ".match.macaddress",
            text
                + (MAC.matcher(text.toLowerCase(java.util.Locale.ROOT)).matches()
                    ? " must be lower case: the guest's MAC addresses are compared as lower-case"
                        + " text"
                    : " is not a MAC address: six lower-case hex pairs with colons, e.g."
                        + " 52:54:00:12:34:56"));
      } else if ((Integer.parseInt(text.substring(0, 2), 16) & 1) != 0) {
        problem(
            "spec.network",
            ".match.macaddress",
            text + " is a multicast address, which no NIC has (the first byte must be even)");
      }
    }

    private void setName() {
      JsonNode setName = node.get("set-name");
      if (setName == null) {
        return;
      }
      String text = setName.asText();
      if (!setName.isTextual()
          || text.isEmpty()
          || text.length() > 15
          || text.equals(".")
          || text.equals("..")
          || !text.matches("[^/:\\s]+")) {
        problem(
            "spec.network",
            ".set-name",
            shown(setName)
                + " is not a Linux interface name (1 to 15 characters, no /, : or white space)");
      }
    }

    /** Whether DHCP is on; a value that is no boolean counts as on, to report it only once. */
    private boolean flag(String key) {
      JsonNode value = node.get(key);
      if (value != null && !value.isBoolean()) {
        problem("spec.network.mode", "." + key, "must be true or false, not " + shown(value));
        return true;
      }
      return value != null && value.asBoolean();
    }

    private List<IpAddress.Cidr> addresses(boolean needed) {
      List<IpAddress.Cidr> found = new ArrayList<>();
      JsonNode addresses = node.get("addresses");
      if (addresses == null || addresses.isArray() && addresses.isEmpty()) {
        if (needed) {
          problem(
              "spec.network.address",
              ".addresses",
              "is missing: without DHCP the NIC needs an address with a prefix length, e.g."
                  + " 192.168.10.5/24");
        }
        return found;
      }
      if (!addresses.isArray()) {
        problem("spec.network.address", ".addresses", "must be a list, not " + shown(addresses));
        return found;
      }
      for (int i = 0; i < addresses.size(); i++) {
        String text = addresses.get(i).asText();
        Optional<IpAddress.Cidr> cidr =
            addresses.get(i).isTextual() ? IpAddress.Cidr.parse(text) : Optional.empty();
        if (cidr.isEmpty()) {
          problem(
              "spec.network.address",
              ".addresses[" + i + "]",
              shown(addresses.get(i))
                  + " is not an address with a prefix length, e.g. 192.168.10.5/24 or"
                  + " fd00::5/64");
          continue;
        }
        Optional<String> reserved = cidr.get().reservedHostAddress();
        if (reserved.isPresent()) {
          problem(
              "spec.network.address",
              ".addresses[" + i + "]",
              text + " is " + reserved.get() + ", which no host can use; give the guest's own");
        }
        found.add(cidr.get());
      }
      return found;
    }

    private void gateway(String key, boolean v4, List<IpAddress.Cidr> addresses) {
      JsonNode value = node.get(key);
      if (value == null) {
        return;
      }
      Optional<IpAddress> ip =
          value.isTextual() ? IpAddress.parse(value.asText()) : Optional.empty();
      String field = "spec.network.gateway";
      if (ip.isEmpty()) {
        problem(field, "." + key, shown(value) + " is not an IP address");
        return;
      }
      if (ip.get().isV4() != v4) {
        problem(
            field,
            "." + key,
            value.asText()
                + " is an IPv"
                + (v4 ? "6" : "4")
                + " address, but "
                + key
                + " takes IPv"
                + (v4 ? "4" : "6"));
        return;
      }
      List<IpAddress.Cidr> sameFamily =
          addresses.stream().filter(c -> c.address().isV4() == v4).toList();
      if (sameFamily.isEmpty() && !addresses.isEmpty()) {
        problem(
            field,
            "." + key,
            value.asText()
                + " is an IPv"
                + (v4 ? "4" : "6")
                + " gateway, but the guest has no IPv"
                + (v4 ? "4" : "6")
                + " address to reach it from");
      } else if (sameFamily.stream().anyMatch(c -> c.address().value().equals(ip.get().value()))) {
        problem(field, "." + key, value.asText() + " is the guest's own address");
      } else if (!sameFamily.isEmpty()
          && sameFamily.stream().noneMatch(c -> c.contains(ip.get()))) {
        problem(
            field,
            "." + key,
            value.asText()
                + " is outside the guest's subnet ("
                + String.join(", ", sameFamily.stream().map(NetworkConfigRules::cidrText).toList())
                + "): the guest could not reach it");
      }
    }

    private void nameservers() {
      JsonNode dns = node.get("nameservers");
      if (dns == null) {
        return;
      }
      if (!dns.isObject()) {
        problem("spec.network.nameservers", ".nameservers", "must be a mapping, not " + shown(dns));
        return;
      }
      JsonNode servers = dns.path("addresses");
      for (int i = 0; i < servers.size(); i++) {
        JsonNode server = servers.get(i);
        if (!server.isTextual() || IpAddress.parse(server.asText()).isEmpty()) {
          problem(
              "spec.network.nameservers[" + i + "]",
              ".nameservers.addresses[" + i + "]",
              shown(server) + " is not an IP address (DNS servers are given by address)");
        }
      }
      JsonNode search = dns.path("search");
      for (int i = 0; i < search.size(); i++) {
        JsonNode domain = search.get(i);
        if (!domain.isTextual() || !isDomainName(domain.asText())) {
          problem(
              "spec.network.searchDomains[" + i + "]",
              ".nameservers.search[" + i + "]",
              shown(domain)
                  + " is not a domain name (dot-separated labels of letters, digits and -)");
        }
      }
    }

    private void problem(String specField, String subPath, String message) {
      out.add(
          new SeedProblem(
              first ? specField : "spec.network",
              null,
              "network-config ethernets." + name + subPath + ": " + message));
    }
  }

  private static String cidrText(IpAddress.Cidr c) {
    try {
      return java.net.InetAddress.getByAddress(c.address().bytes()).getHostAddress()
          + "/"
          + c.prefix();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e); // only for a wrong length, which a parsed address has not
    }
  }

  static boolean isDomainName(String name) {
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    if (n.isEmpty() || n.length() > 253) {
      return false;
    }
    for (String label : n.split("\\.", -1)) {
      if (!DNS_LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  private static SeedProblem network(String message) {
    return new SeedProblem("spec.network", null, message);
  }

  private static String shown(JsonNode value) {
    return value == null ? "missing" : CloudConfigSchema.describe(value);
  }
}
