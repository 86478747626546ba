package io.fastvm.node.qemu;

import java.io.IOException;

/** QMP failed: the connection, a timeout, or an error answer ({@code class} and {@code desc}). */
public class QmpException extends IOException {
  public QmpException(String message) {
    super(message);
  }

  public QmpException(String message, Throwable cause) {
    super(message, cause);
  }
}
