package io.fastvm.console.link;

/** Why a link token was refused, with the HTTP status the redeem endpoint answers. */
public enum LinkRejection {
  /** Not a token of ours: malformed, tampered with, or signed with another key. */
  INVALID(401, "invalid"),
  /** Past its expiry. */
  EXPIRED(410, "expired"),
  /** Already redeemed once. */
  REPLAYED(410, "replayed"),
  /** Authentic, but for another namespace, VM or protocol than the URL it was presented on. */
  MISMATCH(403, "mismatch");

  private final int status;
  private final String outcome;

  LinkRejection(int status, String outcome) {
    this.status = status;
    this.outcome = outcome;
  }

  public int status() {
    return status;
  }

  /** The word used in audit lines and metrics. */
  public String outcome() {
    return outcome;
  }
}
