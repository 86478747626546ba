package io.fastvm.node.manifest;

/** A manifest cannot be read or does not describe exactly one usable VirtualMachine. */
public class ManifestException extends Exception {
  public ManifestException(String message) {
    super(message);
  }

  public ManifestException(String message, Throwable cause) {
    super(message, cause);
  }
}
