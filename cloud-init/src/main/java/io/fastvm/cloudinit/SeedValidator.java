package io.fastvm.cloudinit;

import com.fasterxml.jackson.databind.JsonNode;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.GuestUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds what would go wrong with a CloudInitConfig's seed before any VM boots with it: SSH keys
 * sshd would skip, raw user-data cloud-init would ignore or refuse, cloud-configs cloud-init's
 * schema refuses (with the line), and a network-config that would leave the guest unreachable. The
 * operator turns each problem into a status condition and an event, so every message names the
 * field and says what is allowed.
 */
public final class SeedValidator {
  private SeedValidator() {}

  private static final String USER_DATA = "spec.userData";

  /**
   * Every problem of the spec and of what was rendered from it; empty when the seed is fine.
   *
   * @param renderedUserData the user-data the renderer produced (#cloud-config, or MIME multi-part
   *     whose first part is the generated cloud-config and second the raw spec.userData)
   * @param renderedNetworkConfig network-config version 2 the renderer produced, or null (then
   *     spec.network, if any, is checked as the renderer would write it)
   */
  public static List<SeedProblem> check(
      CloudInitConfigSpec spec, String renderedUserData, String renderedNetworkConfig) {
    List<SeedProblem> out = new ArrayList<>();
    sshKeys(spec, out);
    boolean rawChecked = spec.userData() != null && rawUserData(spec.userData(), out);
    if (renderedUserData != null) {
      renderedUserData(spec, renderedUserData, rawChecked, out);
    }
    if (renderedNetworkConfig != null) {
      out.addAll(NetworkConfigRules.check(renderedNetworkConfig));
    } else if (spec.network() != null) {
      out.addAll(NetworkConfigRules.check(spec.network()));
    }
    return List.copyOf(out);
  }

  private static void sshKeys(CloudInitConfigSpec spec, List<SeedProblem> out) {
    List<GuestUser> users = spec.users() == null ? List.of() : spec.users();
    for (int i = 0; i < users.size(); i++) {
      List<String> keys = users.get(i).sshAuthorizedKeys();
      for (int j = 0; keys != null && j < keys.size(); j++) {
        String field = "spec.users[" + i + "].sshAuthorizedKeys[" + j + "]";
        SshPublicKeys.problem(keys.get(j)).ifPresent(m -> out.add(new SeedProblem(field, null, m)));
      }
    }
  }

  /**
   * Checks raw user-data: of a kind fastvm lets through, and its cloud-configs as cloud-init would
   * read them.
   *
   * @return whether it is of an allowed kind, so that the rendered user-data need not check the
   *     same text again
   */
  private static boolean rawUserData(String userData, List<SeedProblem> out) {
    UserDataKind kind = UserDataKind.of(userData);
    if (!kind.allowed()) {
      String hint =
          userData.stripLeading().regionMatches(true, 0, "content-type:", 0, 13)
              ? " (it looks like MIME, but cloud-init reads user-data as MIME only with a"
                  + " MIME-Version header in its first 4096 bytes)"
              : "";
      out.add(raw(1, "is " + kind.description + hint + "; " + UserDataKind.ALLOWED));
      return false;
    }
    if (!kind.startsExactly(userData)) {
      out.add(
          raw(
              1,
              kind == UserDataKind.SCRIPT
                  ? "a script must start with #! at its very first character (the kernel reads"
                      + " the interpreter from there)"
                  : "must start with exactly \"#cloud-config\" (lower case, at its first"
                      + " character), as cloud-init's schema check and MIME typing read it"));
      return true;
    }
    switch (kind) {
      case CLOUD_CONFIG ->
          CloudConfigCheck.check(userData)
              .forEach(issue -> out.add(raw(issue.line(), issue.describe())));
      case SCRIPT -> {
        if (userData.lines().findFirst().orElse("").substring(2).isBlank()) {
          out.add(raw(1, "the #! line names no interpreter, e.g. #!/bin/sh"));
        }
      }
      default -> mime(userData, out);
    }
    return true;
  }

  private static void mime(String userData, List<SeedProblem> out) {
    List<MimeUserData.Part> parts;
    try {
      parts = MimeUserData.parts(userData);
    } catch (MimeUserData.FormatError e) {
      out.add(raw(e.line, "MIME user-data: " + e.getMessage()));
      return;
    }
    for (int n = 0; n < parts.size(); n++) {
      MimeUserData.Part part = parts.get(n);
      String label = "MIME part " + (n + 1) + " (" + part.contentType() + ")";
      UserDataKind kind = part.kind();
      if (kind == UserDataKind.CLOUD_CONFIG) {
        for (CloudConfigCheck.Issue issue : CloudConfigCheck.check(part.content())) {
          out.add(
              part.encoded()
                  ? raw(
                      part.line(),
                      label + " line " + issue.line() + " of its decoded text: " + issue.describe())
                  : raw(part.line() + issue.line() - 1, label + ": " + issue.describe()));
        }
      } else if (kind == UserDataKind.SCRIPT) {
        if (!part.content().startsWith("#!")) {
          out.add(raw(part.line(), label + ": a script part must start with #!, or it cannot run"));
        }
      } else {
        out.add(
            raw(
                part.line(),
                label
                    + " is "
                    + (kind == null
                        ? "of a type cloud-init has no handler for, so it would be ignored"
                        : kind.description)
                    + "; allowed parts: text/cloud-config and scripts (text/x-shellscript)"));
      }
    }
  }

  private static void renderedUserData(
      CloudInitConfigSpec spec, String rendered, boolean rawChecked, List<SeedProblem> out) {
    String raw = spec.userData() == null ? null : normalized(spec.userData());
    if (raw != null && normalized(rendered).equals(raw)) {
      return; // the raw user-data alone, checked above
    }
    if (UserDataKind.of(rendered) != UserDataKind.MIME) {
      if (UserDataKind.of(rendered) == UserDataKind.CLOUD_CONFIG) {
        generated(spec, rendered, out);
      } else {
        out.add(
            new SeedProblem(
                "spec", null, "the rendered user-data is neither a #cloud-config nor MIME"));
      }
      return;
    }
    List<MimeUserData.Part> parts;
    try {
      parts = MimeUserData.parts(rendered);
    } catch (MimeUserData.FormatError e) {
      out.add(
          new SeedProblem(
              "spec",
              null,
              "the rendered user-data is not MIME cloud-init can read: " + e.getMessage()));
      return;
    }
    for (int n = 0; n < parts.size(); n++) {
      MimeUserData.Part part = parts.get(n);
      UserDataKind kind = part.kind();
      boolean runs = kind == UserDataKind.CLOUD_CONFIG || kind == UserDataKind.SCRIPT;
      if (raw != null && normalized(part.content()).equals(raw)) {
        if (!runs && rawChecked) {
          // e.g. a MIME spec.userData carried as one text/plain part: cloud-init would skip it.
          out.add(
              new SeedProblem(
                  USER_DATA,
                  null,
                  "the rendered user-data carries it as a "
                      + part.contentType()
                      + " part, which cloud-init would not run; with users, packages or a"
                      + " hostname, give spec.userData as a #cloud-config or a script"));
        }
      } else if (kind == UserDataKind.CLOUD_CONFIG) {
        generated(spec, part.content(), out);
      } else if (!runs) {
        out.add(
            new SeedProblem(
                "spec",
                null,
                "the rendered user-data's part "
                    + (n + 1)
                    + " is "
                    + part.contentType()
                    + ", which cloud-init would not run"));
      }
    }
  }

  /** The generated cloud-config: its problems named by the spec fields they come from. */
  private static void generated(CloudInitConfigSpec spec, String text, List<SeedProblem> out) {
    JsonNode tree = parsedOrNull(text).orElse(null);
    for (CloudConfigCheck.Issue issue : CloudConfigCheck.check(text)) {
      String field = GeneratedFields.field(spec, tree, issue.pointer());
      // Where no spec field is known, the place in the generated cloud-config says where.
      String where = field.equals("spec") && !issue.path().isEmpty() ? " " + issue.path() : "";
      out.add(
          new SeedProblem(
              field, null, "the generated cloud-config" + where + ": " + issue.message()));
    }
  }

  private static Optional<JsonNode> parsedOrNull(String text) {
    try {
      return Optional.ofNullable(CloudConfigYaml.parse(text).root());
    } catch (CloudConfigYaml.SyntaxError e) {
      return Optional.empty();
    }
  }

  private static String normalized(String text) {
    return text.replace("\r\n", "\n").stripTrailing();
  }

  private static SeedProblem raw(int line, String message) {
    return new SeedProblem(USER_DATA, line, message);
  }
}
