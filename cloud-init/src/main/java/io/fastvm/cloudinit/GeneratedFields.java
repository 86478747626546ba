package io.fastvm.cloudinit;

import com.fasterxml.jackson.databind.JsonNode;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.GuestUser;
import java.util.List;
import java.util.Map;

/**
 * Which spec field a place in the generated cloud-config comes from, so that a problem there names
 * what the user wrote: users are found by name (the renderer puts a "default" entry first),
 * packages by value. Anything else is "spec".
 */
final class GeneratedFields {
  private GeneratedFields() {}

  private static final Map<String, String> USER_KEYS =
      Map.of(
          "name", "name",
          "shell", "shell",
          "sudo", "sudo",
          "groups", "groups",
          "passwd", "passwordSecretRef",
          "lock_passwd", "passwordSecretRef",
          "ssh_authorized_keys", "sshAuthorizedKeys");

  /**
   * @param generated the generated cloud-config as read, or null
   * @param pointer JSON pointer into it
   */
  static String field(CloudInitConfigSpec spec, JsonNode generated, String pointer) {
    String[] at = pointer.isEmpty() ? new String[0] : pointer.substring(1).split("/", -1);
    if (at.length == 0 || generated == null) {
      return "spec";
    }
    return switch (at[0]) {
      case "hostname", "preserve_hostname", "fqdn" -> "spec.hostname";
      case "users" -> user(spec, generated, at);
      case "ssh_pwauth" -> "spec.users";
      case "packages" -> packages(spec, generated, at);
      case "package_update", "package_upgrade" ->
          Boolean.TRUE.equals(spec.packageUpgrade()) ? "spec.packageUpgrade" : "spec.packages";
      default -> "spec";
    };
  }

  private static String user(CloudInitConfigSpec spec, JsonNode generated, String[] at) {
    List<GuestUser> users = spec.users() == null ? List.of() : spec.users();
    if (at.length < 2 || !at[1].matches("[0-9]+")) {
      return "spec.users";
    }
    String name = generated.path("users").path(Integer.parseInt(at[1])).path("name").asText(null);
    for (int i = 0; i < users.size(); i++) {
      if (users.get(i).name() != null && users.get(i).name().equals(name)) {
        String field = "spec.users[" + i + "]";
        if (at.length < 3 || !USER_KEYS.containsKey(at[2])) {
          return field;
        }
        field += "." + USER_KEYS.get(at[2]);
        return at.length > 3 && at[2].equals("ssh_authorized_keys")
            ? field + "[" + at[3] + "]"
            : field;
      }
    }
    return "spec.users";
  }

  private static String packages(CloudInitConfigSpec spec, JsonNode generated, String[] at) {
    List<String> packages = spec.packages() == null ? List.of() : spec.packages();
    if (at.length > 1 && at[1].matches("[0-9]+")) {
      String value = generated.path("packages").path(Integer.parseInt(at[1])).asText(null);
      int i = packages.indexOf(value);
      if (i >= 0) {
        return "spec.packages[" + i + "]";
      }
    }
    return "spec.packages";
  }
}
