package io.fastvm.node.guestagent;

import java.io.IOException;

/** The guest agent did not answer, or answered with an error. */
public final class GuestAgentException extends IOException {
  public GuestAgentException(String message) {
    super(message);
  }

  public GuestAgentException(String message, Throwable cause) {
    super(message, cause);
  }
}
