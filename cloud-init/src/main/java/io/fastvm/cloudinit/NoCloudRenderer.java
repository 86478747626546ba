package io.fastvm.cloudinit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.GuestNetwork;
import io.fastvm.api.v1alpha1.GuestUser;
import io.fastvm.api.v1alpha1.NetworkMode;
import io.fastvm.api.v1alpha1.SecretKeyRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.commons.codec.digest.Sha2Crypt;

/**
 * Renders a CloudInitConfig into a NoCloud seed: user-data ({@code #cloud-config}, or a MIME
 * multi-part when the spec also has raw {@code userData}), meta-data (instance-id, local-hostname)
 * and network-config version 2, in two steps: {@link #config} renders what a CloudInitConfig says
 * on its own (the operator keeps it in the CloudInitConfig's Secret), {@link #seed} adds what is
 * particular to a VM (its name, its NICs' MACs). Pure functions: same input, same seed, so the
 * operator can render it into Secrets without churn. Passwords leave only as SHA-512 crypt hashes,
 * salted per CloudInitConfig and user (not from the password).
 */
public final class NoCloudRenderer {
  private NoCloudRenderer() {}

  /**
   * Every string quoted: cloud-init reads YAML 1.1 (PyYAML), where an unquoted all-digit MAC such
   * as 52:54:00:12:34:56 is a base-60 integer, and Jackson's minimal quoting does not know that.
   */
  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .build();

  /** MIME boundary of multi-part user-data; it cannot occur in base64-free text parts we emit. */
  static final String BOUNDARY = "==fastvm-cloud-init-boundary==";

  /**
   * The whole seed of one VM, as {@code fastvm run} needs it: {@link #config} then {@link #seed}.
   *
   * @param namespace the VM's namespace
   * @param vmName the VM's name (default hostname, instance-id, password salt)
   * @param firstNicMac MAC of the VM's first NIC (network-config matches it), or null
   * @param secrets string data of Secrets by name (for passwords)
   * @throws IllegalArgumentException when a referenced Secret or key is missing
   */
  public static NoCloudSeed render(
      CloudInitConfigSpec spec,
      String namespace,
      String vmName,
      String firstNicMac,
      Map<String, Map<String, String>> secrets) {
    return seed(
        config(spec, namespace, vmName, secrets),
        namespace,
        vmName,
        firstNicMac == null ? List.of() : List.of(firstNicMac));
  }

  /**
   * What a CloudInitConfig renders on its own, before any VM uses it: the user-data ({@code
   * #cloud-config}, or a MIME multi-part when the spec also has raw {@code userData}), with
   * passwords as SHA-512 crypt hashes salted by config and user.
   *
   * @param configName the CloudInitConfig's name (password salt)
   * @throws IllegalArgumentException when a referenced Secret or key is missing
   */
  public static RenderedConfig config(
      CloudInitConfigSpec spec,
      String namespace,
      String configName,
      Map<String, Map<String, String>> secrets) {
    boolean generated =
        spec.users() != null && !spec.users().isEmpty()
            || spec.packages() != null && !spec.packages().isEmpty()
            || Boolean.TRUE.equals(spec.packageUpgrade())
            || spec.hostname() != null;
    String cloudConfig =
        generated || spec.userData() == null
            ? cloudConfig(spec, namespace + "/" + configName, secrets)
            : null;
    String userData;
    if (spec.userData() == null) {
      userData = cloudConfig;
    } else if (cloudConfig == null) {
      userData = spec.userData();
    } else {
      userData = multipart(cloudConfig, spec.userData());
    }
    return new RenderedConfig(userData, spec.hostname(), spec.network());
  }

  /**
   * One VM's seed from a rendered config: meta-data (local-hostname: the config's hostname, else
   * the VM's name; an instance-id that changes exactly when the seed's content does) and
   * network-config version 2 with one entry per NIC matched by MAC, the first configured as the
   * config's network says and the others by DHCP.
   *
   * @param nicMacs the MACs of the VM's NICs in spec order; none means no network-config
   */
  public static NoCloudSeed seed(
      RenderedConfig config, String namespace, String vmName, List<String> nicMacs) {
    String hostname = config.hostname() != null ? config.hostname() : vmName;
    String networkConfig = nicMacs.isEmpty() ? null : networkConfig(config.network(), nicMacs);
    String identity =
        String.join(
            "\n",
            namespace,
            vmName,
            hostname,
            config.userData(),
            networkConfig == null ? "" : networkConfig);
    String metaData =
        yaml(
            YAML.createObjectNode()
                .put("instance-id", "fastvm-" + sha256(identity).substring(0, 20))
                .put("local-hostname", hostname));
    return new NoCloudSeed(config.userData(), metaData, networkConfig);
  }

  private static String cloudConfig(
      CloudInitConfigSpec spec, String saltPrefix, Map<String, Map<String, String>> secrets) {
    ObjectNode config = YAML.createObjectNode();
    // Without a hostname here cloud-init takes meta-data's local-hostname (the VM's name).
    if (spec.hostname() != null) {
      config.put("hostname", spec.hostname());
    }
    config.put("preserve_hostname", false);
    boolean anyPassword = false;
    if (spec.users() != null && !spec.users().isEmpty()) {
      ArrayNode users = config.putArray("users");
      users.add("default");
      for (GuestUser user : spec.users()) {
        ObjectNode u = users.addObject();
        u.put("name", user.name());
        u.put("shell", user.shell() != null ? user.shell() : "/bin/bash");
        if (Boolean.TRUE.equals(user.sudo())) {
          u.put("sudo", "ALL=(ALL) NOPASSWD:ALL");
        }
        if (user.groups() != null && !user.groups().isEmpty()) {
          u.put("groups", String.join(", ", user.groups()));
        }
        if (user.passwordSecretRef() != null) {
          String password = password(user.passwordSecretRef(), user.name(), secrets);
          u.put("lock_passwd", false);
          u.put("passwd", sha512Crypt(password, saltPrefix + "/" + user.name()));
          anyPassword = true;
        } else {
          u.put("lock_passwd", true);
        }
        if (user.sshAuthorizedKeys() != null && !user.sshAuthorizedKeys().isEmpty()) {
          ArrayNode keys = u.putArray("ssh_authorized_keys");
          user.sshAuthorizedKeys().forEach(keys::add);
        }
      }
    }
    if (anyPassword) {
      config.put("ssh_pwauth", true);
    }
    if (spec.packages() != null && !spec.packages().isEmpty()) {
      ArrayNode packages = config.putArray("packages");
      spec.packages().forEach(packages::add);
      config.put("package_update", true);
    }
    if (Boolean.TRUE.equals(spec.packageUpgrade())) {
      config.put("package_update", true);
      config.put("package_upgrade", true);
    }
    return "#cloud-config\n" + yaml(config);
  }

  private static String password(
      SecretKeyRef ref, String user, Map<String, Map<String, String>> secrets) {
    Map<String, String> secret = secrets.get(ref.name());
    String key = ref.key() != null ? ref.key() : "password";
    if (secret == null) {
      throw new IllegalArgumentException("user " + user + ": Secret " + ref.name() + " not found");
    }
    String password = secret.get(key);
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException(
          "user " + user + ": Secret " + ref.name() + " has no key " + key);
    }
    return password;
  }

  /** SHA-512 crypt ({@code $6$}) with a salt derived from who the password is for. */
  static String sha512Crypt(String password, String saltSource) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(saltSource.getBytes(StandardCharsets.UTF_8));
      String salt =
          Base64.getEncoder()
              .withoutPadding()
              .encodeToString(digest)
              .replace('+', '.')
              .substring(0, 16);
      return Sha2Crypt.sha512Crypt(password.getBytes(StandardCharsets.UTF_8), "$6$" + salt);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String networkConfig(GuestNetwork network, List<String> macs) {
    ObjectNode root = YAML.createObjectNode();
    root.put("version", 2);
    ObjectNode ethernets = root.putObject("ethernets");
    for (int i = 0; i < macs.size(); i++) {
      ObjectNode nic = ethernets.putObject("nic" + i);
      nic.putObject("match").put("macaddress", macs.get(i).toLowerCase(java.util.Locale.ROOT));
      nic.put("set-name", "eth" + i);
      configure(nic, i == 0 ? network : null);
    }
    return yaml(root);
  }

  private static void configure(ObjectNode nic, GuestNetwork network) {
    if (network == null || network.mode() != NetworkMode.STATIC) {
      nic.put("dhcp4", true);
    } else {
      nic.put("dhcp4", false);
      nic.putArray("addresses").add(network.address());
      if (network.gateway() != null) {
        nic.put(network.gateway().contains(":") ? "gateway6" : "gateway4", network.gateway());
      }
    }
    boolean servers = network != null && network.nameservers() != null;
    boolean search = network != null && network.searchDomains() != null;
    if (servers && !network.nameservers().isEmpty()
        || search && !network.searchDomains().isEmpty()) {
      ObjectNode dns = nic.putObject("nameservers");
      if (servers) {
        ArrayNode addresses = dns.putArray("addresses");
        network.nameservers().forEach(addresses::add);
      }
      if (search) {
        ArrayNode domains = dns.putArray("search");
        network.searchDomains().forEach(domains::add);
      }
    }
  }

  static String sha256(String text) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String multipart(String cloudConfig, String userData) {
    List<String> parts = new ArrayList<>();
    parts.add(part("text/cloud-config", "fastvm.cfg", cloudConfig));
    parts.add(part(contentType(userData), "user-data", userData));
    StringBuilder out = new StringBuilder();
    out.append("Content-Type: multipart/mixed; boundary=\"").append(BOUNDARY).append("\"\n");
    out.append("MIME-Version: 1.0\n\n");
    for (String part : parts) {
      out.append("--").append(BOUNDARY).append('\n').append(part);
    }
    out.append("--").append(BOUNDARY).append("--\n");
    return out.toString();
  }

  private static String part(String type, String filename, String body) {
    return "Content-Type: "
        + type
        + "; charset=\"utf-8\"\nMIME-Version: 1.0\nContent-Disposition: attachment; filename=\""
        + filename
        + "\"\n\n"
        + body
        + (body.endsWith("\n") ? "" : "\n");
  }

  /** cloud-init's own rule: the first line tells what a user-data part is. */
  static String contentType(String userData) {
    if (userData.startsWith("#cloud-config")) {
      return "text/cloud-config";
    }
    if (userData.startsWith("#!")) {
      return "text/x-shellscript";
    }
    if (userData.startsWith("#cloud-boothook")) {
      return "text/cloud-boothook";
    }
    if (userData.startsWith("#include")) {
      return "text/x-include-url";
    }
    return "text/plain";
  }

  private static String yaml(ObjectNode node) {
    try {
      return YAML.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
