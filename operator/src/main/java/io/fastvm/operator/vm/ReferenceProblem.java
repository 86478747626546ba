package io.fastvm.operator.vm;

/**
 * A reference of the VM that does not resolve yet.
 *
 * @param kind kind of the referenced object (Volume, CloudInitConfig)
 * @param name its name
 * @param reason VolumeNotFound, VolumeNotReady, CloudInitConfigNotFound, CloudInitConfigNotReady
 * @param detail what is missing, for humans
 */
public record ReferenceProblem(String kind, String name, String reason, String detail) {

  public String message() {
    return kind + " " + name + " " + detail;
  }
}
