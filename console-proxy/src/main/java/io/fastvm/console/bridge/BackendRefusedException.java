package io.fastvm.console.bridge;

/** The VM pod's endpoint could not be reached, was not the VM's, or refused the channel. */
public final class BackendRefusedException extends Exception {
  public BackendRefusedException(String message) {
    super(message);
  }
}
