package io.fastvm.cloudinit;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks one line of an authorized_keys list: {@code type base64 [comment]}, as {@code ssh-keygen}
 * writes a {@code .pub} file. The key data is decoded and read far enough to know it is whole (RFC
 * 4253 section 6.6, RFC 5656 section 3.1, PROTOCOL.u2f), because sshd silently skips a bad line and
 * the user finds out only when the login fails.
 */
final class SshPublicKeys {
  private SshPublicKeys() {}

  /** The key types OpenSSH accepts by default today. */
  static final List<String> TYPES =
      List.of(
          "ssh-ed25519",
          "ssh-rsa",
          "ecdsa-sha2-nistp256",
          "ecdsa-sha2-nistp384",
          "ecdsa-sha2-nistp521",
          "sk-ssh-ed25519@openssh.com",
          "sk-ecdsa-sha2-nistp256@openssh.com");

  /** sshd refuses shorter RSA moduli (SSH_RSA_MINIMUM_MODULUS_SIZE in OpenSSH 7.6+). */
  private static final int MIN_RSA_BITS = 1024;

  /** What is wrong with the line, or empty when it is a well-formed public key. */
  static Optional<String> problem(String line) {
    if (line == null || line.isBlank()) {
      return Optional.of("is empty; expected an OpenSSH public key line: type base64 [comment]");
    }
    String text = line.strip();
    if (text.contains("PRIVATE KEY")) {
      return Optional.of(
          "is a private key: give the public key instead (the .pub file; `ssh-keygen -y -f KEY`"
              + " prints it), and treat this private key as leaked");
    }
    if (text.startsWith("---- BEGIN SSH2 PUBLIC KEY")) {
      return Optional.of(
          "is in RFC 4716 (SSH2) format: convert it to one OpenSSH line with `ssh-keygen -i -f"
              + " FILE`");
    }
    if (text.startsWith("-----BEGIN")) {
      return Optional.of(
          "is a PEM key: convert it to one OpenSSH line with `ssh-keygen -i -m PKCS8 -f FILE`");
    }
    if (text.contains("\n")) {
      return Optional.of("spans several lines: give one key per list item, each on one line");
    }
    String[] fields = text.split("\\s+", 3);
    String type = fields[0];
    if (!TYPES.contains(type)) {
      return Optional.of(unknownType(type));
    }
    if (fields.length < 2) {
      return Optional.of("has no key data after the type " + type);
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(fields[1]);
    } catch (IllegalArgumentException e) {
      return Optional.of("key data after " + type + " is not base64 (" + e.getMessage() + ")");
    }
    try {
      return blobProblem(type, ByteBuffer.wrap(blob));
    } catch (Truncated e) {
      return Optional.of("key data of this " + type + " key is truncated");
    }
  }

  private static String unknownType(String type) {
    String allowed = "; allowed types: " + String.join(", ", TYPES);
    if (type.contains("=")
        || List.of(
                "restrict",
                "no-pty",
                "no-port-forwarding",
                "no-agent-forwarding",
                "no-x11-forwarding",
                "cert-authority",
                "no-user-rc")
            .contains(type.toLowerCase(Locale.ROOT))) {
      return "starts with authorized_keys options ("
          + type
          + "); only a plain public key line is allowed: type base64 [comment]";
    }
    if (type.endsWith("-cert-v01@openssh.com")) {
      return "is an SSH certificate (" + type + "); give the public key itself" + allowed;
    }
    if (type.equals("ssh-dss")) {
      return "is a DSA key (ssh-dss), which OpenSSH no longer accepts" + allowed;
    }
    return "unknown key type " + quote(type) + allowed;
  }

  private static Optional<String> blobProblem(String type, ByteBuffer blob) throws Truncated {
    String inBlob = new String(string(blob), StandardCharsets.ISO_8859_1);
    if (!inBlob.equals(type)) {
      return Optional.of(
          "the key data says "
              + (TYPES.contains(inBlob) ? inBlob : quote(inBlob))
              + " but the line says "
              + type);
    }
    Optional<String> problem =
        switch (type) {
          case "ssh-ed25519" -> length(string(blob), 32, "Ed25519 public key");
          case "sk-ssh-ed25519@openssh.com" -> {
            Optional<String> key = length(string(blob), 32, "Ed25519 public key");
            string(blob); // the FIDO application, e.g. "ssh:"
            yield key;
          }
          case "ssh-rsa" -> rsa(blob);
          case "sk-ecdsa-sha2-nistp256@openssh.com" -> {
            Optional<String> key = ecdsa("nistp256", blob);
            string(blob);
            yield key;
          }
          default -> ecdsa(type.substring("ecdsa-sha2-".length()), blob);
        };
    if (problem.isPresent()) {
      return problem;
    }
    if (blob.hasRemaining()) {
      return Optional.of(
          "key data has " + blob.remaining() + " bytes after the " + type + " key: not one key");
    }
    return Optional.empty();
  }

  private static Optional<String> rsa(ByteBuffer blob) throws Truncated {
    BigInteger e = mpint(string(blob));
    BigInteger n = mpint(string(blob));
    if (e.signum() <= 0 || n.signum() <= 0) {
      return Optional.of("RSA key data has a non-positive exponent or modulus");
    }
    if (n.bitLength() < MIN_RSA_BITS) {
      return Optional.of(
          "RSA key has "
              + n.bitLength()
              + " bits; OpenSSH refuses RSA keys under "
              + MIN_RSA_BITS
              + " bits (use ssh-ed25519 or RSA with 3072 bits)");
    }
    return Optional.empty();
  }

  /** An uncompressed point (0x04, X, Y) on the curve the type names. */
  private static Optional<String> ecdsa(String curve, ByteBuffer blob) throws Truncated {
    String named = new String(string(blob), StandardCharsets.ISO_8859_1);
    if (!named.equals(curve)) {
      return Optional.of("ECDSA key data names curve " + quote(named) + " but the type " + curve);
    }
    int coordinate =
        switch (curve) {
          case "nistp256" -> 32;
          case "nistp384" -> 48;
          default -> 66;
        };
    byte[] point = string(blob);
    if (point.length != 1 + 2 * coordinate || point[0] != 4) {
      return Optional.of(
          "ECDSA "
              + curve
              + " key data holds no uncompressed curve point ("
              + point.length
              + " bytes, expected "
              + (1 + 2 * coordinate)
              + ")");
    }
    return Optional.empty();
  }

  private static Optional<String> length(byte[] key, int expected, String what) {
    return key.length == expected
        ? Optional.empty()
        : Optional.of(what + " is " + key.length + " bytes, expected " + expected);
  }

  /** An SSH mpint: two's complement, big-endian; zero has no bytes. */
  private static BigInteger mpint(byte[] bytes) {
    return bytes.length == 0 ? BigInteger.ZERO : new BigInteger(bytes);
  }

  /** An SSH wire string: a big-endian uint32 length, then that many bytes. */
  private static byte[] string(ByteBuffer blob) throws Truncated {
    if (blob.remaining() < 4) {
      throw new Truncated();
    }
    int length = blob.getInt();
    if (length < 0 || length > blob.remaining()) {
      throw new Truncated();
    }
    byte[] bytes = new byte[length];
    blob.get(bytes);
    return bytes;
  }

  private static String quote(String s) {
    String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    StringBuilder out = new StringBuilder("\"");
    shown
        .codePoints()
        .forEach(c -> out.append(c < 0x20 || c == 0x7f ? "?" : Character.toString(c)));
    return out.append('"').toString();
  }

  /** The key data ends before a field it must have. */
  private static final class Truncated extends Exception {
    Truncated() {
      super(null, null, false, false);
    }
  }
}
