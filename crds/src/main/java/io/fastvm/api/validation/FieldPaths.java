package io.fastvm.api.validation;

/** Kubernetes-style field paths: {@code spec.disks[0].name}. */
final class FieldPaths {
  private FieldPaths() {}

  static String child(String parent, String name) {
    return parent.isEmpty() ? name : parent + "." + name;
  }

  static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
