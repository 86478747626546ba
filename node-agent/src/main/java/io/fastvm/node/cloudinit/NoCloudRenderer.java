package io.fastvm.node.cloudinit;

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
 * and network-config version 2. A pure function: same input, same seed, so the operator can render
 * it into a Secret without churn. Passwords leave only as SHA-512 crypt hashes, salted per VM and
 * user (not from the password).
 */
public final class NoCloudRenderer {
  private NoCloudRenderer() {}

  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .build();

  /** MIME boundary of multi-part user-data; it cannot occur in base64-free text parts we emit. */
  static final String BOUNDARY = "==fastvm-cloud-init-boundary==";

  /**
   * @param namespace the VM's namespace
   * @param vmName the VM's name (default hostname, instance-id)
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
    String hostname = spec.hostname() != null ? spec.hostname() : vmName;
    String metaData =
        yaml(
            YAML.createObjectNode()
                .put("instance-id", "fastvm-" + namespace + "-" + vmName)
                .put("local-hostname", hostname));

    boolean generated =
        spec.users() != null && !spec.users().isEmpty()
            || spec.packages() != null && !spec.packages().isEmpty()
            || Boolean.TRUE.equals(spec.packageUpgrade())
            || spec.hostname() != null;
    String cloudConfig =
        generated || spec.userData() == null
            ? cloudConfig(spec, hostname, namespace, vmName, secrets)
            : null;
    String userData;
    if (spec.userData() == null) {
      userData = cloudConfig;
    } else if (cloudConfig == null) {
      userData = spec.userData();
    } else {
      userData = multipart(cloudConfig, spec.userData());
    }
    String networkConfig = firstNicMac == null ? null : networkConfig(spec.network(), firstNicMac);
    return new NoCloudSeed(userData, metaData, networkConfig);
  }

  private static String cloudConfig(
      CloudInitConfigSpec spec,
      String hostname,
      String namespace,
      String vmName,
      Map<String, Map<String, String>> secrets) {
    ObjectNode config = YAML.createObjectNode();
    config.put("hostname", hostname);
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
          u.put("passwd", sha512Crypt(password, namespace + "/" + vmName + "/" + user.name()));
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
      throw new IllegalArgumentException(
          "user " + user + ": Secret " + ref.name() + " is not among the manifests");
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

  private static String networkConfig(GuestNetwork network, String mac) {
    ObjectNode root = YAML.createObjectNode();
    root.put("version", 2);
    ObjectNode nic = root.putObject("ethernets").putObject("nic0");
    nic.putObject("match").put("macaddress", mac);
    nic.put("set-name", "eth0");
    if (network == null || network.mode() != NetworkMode.STATIC) {
      nic.put("dhcp4", true);
    } else {
      nic.put("dhcp4", false);
      nic.putArray("addresses").add(network.address());
      if (network.gateway() != null) {
        nic.put(network.gateway().contains(":") ? "gateway6" : "gateway4", network.gateway());
      }
    }
    if (network != null
        && (network.nameservers() != null && !network.nameservers().isEmpty()
            || network.searchDomains() != null && !network.searchDomains().isEmpty())) {
      ObjectNode dns = nic.putObject("nameservers");
      if (network.nameservers() != null) {
        ArrayNode addresses = dns.putArray("addresses");
        network.nameservers().forEach(addresses::add);
      }
      if (network.searchDomains() != null) {
        ArrayNode search = dns.putArray("search");
        network.searchDomains().forEach(search::add);
      }
    }
    return yaml(root);
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
