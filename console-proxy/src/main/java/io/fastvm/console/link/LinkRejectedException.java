package io.fastvm.console.link;

/** A link token that cannot be redeemed, and why. */
public final class LinkRejectedException extends Exception {
  private final LinkRejection rejection;

  public LinkRejectedException(LinkRejection rejection, String message) {
    super(message);
    this.rejection = rejection;
  }

  public LinkRejection rejection() {
    return rejection;
  }
}
