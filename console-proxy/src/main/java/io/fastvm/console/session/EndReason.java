package io.fastvm.console.session;

/**
 * Why a session ended, with the WebSocket close code its connections get (4000-4999 is the
 * application range) so the page can tell the user.
 */
public enum EndReason {
  EXPIRED("expired", 4001),
  IDLE("idle", 4002),
  VM_STOPPED("vm-stopped", 4003),
  ACCESS_REVOKED("access-revoked", 4004),
  CLOSED("closed", 4005),
  SHUTDOWN("shutdown", 1001);

  private final String word;
  private final int closeCode;

  EndReason(String word, int closeCode) {
    this.word = word;
    this.closeCode = closeCode;
  }

  /** Used in audit lines, the session info and WebSocket close reasons. */
  public String word() {
    return word;
  }

  public short closeCode() {
    return (short) closeCode;
  }
}
