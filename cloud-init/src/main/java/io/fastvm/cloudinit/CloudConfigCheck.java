package io.fastvm.cloudinit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Checks one cloud-config text as cloud-init would load it: YAML its loader reads, a mapping, each
 * key once, and cloud-init's schema; every issue with the line it is on.
 */
final class CloudConfigCheck {
  private CloudConfigCheck() {}

  /**
   * @param line 1-based line within the checked text
   * @param pointer JSON pointer of where in the cloud-config ("" for the whole)
   * @param path the same as a reader writes it, e.g. {@code users[0].lock_passwd}
   */
  record Issue(int line, String pointer, String path, String message) {
    String describe() {
      return path.isEmpty() ? message : path + ": " + message;
    }
  }

  static List<Issue> check(String text) {
    CloudConfigYaml.Document doc;
    try {
      doc = CloudConfigYaml.parse(text);
    } catch (CloudConfigYaml.SyntaxError e) {
      return List.of(new Issue(e.line, "", "", e.getMessage()));
    }
    if (doc.root() == null) {
      // `cloud-init schema` refuses it ("Cloud-config is not a YAML dict"); it configures nothing.
      return List.of(
          new Issue(
              1, "", "", "is empty: a cloud-config is a YAML mapping (users:, packages:, ...)"));
    }
    if (!doc.root().isObject()) {
      return List.of(
          new Issue(
              doc.lineOf(""),
              "",
              "",
              "must be a YAML mapping (users:, packages:, ...), not "
                  + CloudConfigSchema.describe(doc.root())));
    }
    List<Issue> issues = new ArrayList<>();
    for (CloudConfigYaml.DuplicateKey d : doc.duplicates()) {
      // PyYAML keeps the last silently: the first runcmd or write_files of two would be lost.
      issues.add(
          new Issue(
              d.line(),
              d.pointer(),
              path(doc.root(), d.pointer()),
              "key "
                  + d.key()
                  + " is given twice (first at line "
                  + d.firstLine()
                  + "); cloud-init would keep only the last one"));
    }
    for (CloudConfigSchema.Violation v : CloudConfigSchema.check(doc.root())) {
      String keyPointer =
          v.key() == null ? null : v.pointer() + "/" + CloudConfigYaml.escape(v.key());
      int line =
          keyPointer != null && doc.lines().containsKey(keyPointer)
              ? doc.lines().get(keyPointer)
              : doc.lineOf(v.pointer());
      String written = doc.written().get(v.pointer());
      String message =
          written == null
              ? v.message()
              : v.message() + " (written " + written + ", which YAML 1.1 reads so)";
      issues.add(new Issue(line, v.pointer(), v.path(), message));
    }
    issues.sort(Comparator.comparingInt(Issue::line));
    return issues;
  }

  /** {@code /users/0/name} as {@code users[0].name}, telling list indexes from keys by the tree. */
  static String path(JsonNode root, String pointer) {
    StringBuilder out = new StringBuilder();
    JsonNode node = root;
    for (String raw : pointer.isEmpty() ? new String[0] : pointer.substring(1).split("/", -1)) {
      String segment = raw.replace("~1", "/").replace("~0", "~");
      if (node.isArray()) {
        out.append('[').append(segment).append(']');
        node = node.path(Integer.parseInt(segment));
      } else {
        out.append(out.isEmpty() ? "" : ".").append(segment);
        node = node.path(segment);
      }
    }
    return out.toString();
  }
}
