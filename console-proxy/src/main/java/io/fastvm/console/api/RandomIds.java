package io.fastvm.console.api;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable identifiers and secrets, URL-safe. */
final class RandomIds {
  private static final SecureRandom RANDOM = new SecureRandom();

  private RandomIds() {}

  /** {@code bytes} random bytes, base64url without padding. */
  static String of(int bytes) {
    byte[] value = new byte[bytes];
    RANDOM.nextBytes(value);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
  }
}
