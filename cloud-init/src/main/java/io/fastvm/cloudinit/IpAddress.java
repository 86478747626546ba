package io.fastvm.cloudinit;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An IPv4 or IPv6 address literal, parsed strictly: never a host name, so that nothing here ever
 * asks DNS.
 *
 * @param bytes 4 or 16 bytes
 */
record IpAddress(byte[] bytes) {

  boolean isV4() {
    return bytes.length == 4;
  }

  int bits() {
    return bytes.length * 8;
  }

  BigInteger value() {
    return new BigInteger(1, bytes);
  }

  /** The address, or empty when {@code text} is no IPv4 or IPv6 literal. */
  static Optional<IpAddress> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    if (text.contains(":")) {
      // Only hex digits, colons and an embedded IPv4 part: InetAddress then parses a literal.
      if (!text.matches("[0-9A-Fa-f:.]+")) {
        return Optional.empty();
      }
      try {
        byte[] bytes = InetAddress.getByName(text).getAddress();
        return bytes.length == 16 ? Optional.of(new IpAddress(bytes)) : Optional.empty();
      } catch (UnknownHostException e) {
        return Optional.empty();
      }
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      // No leading zeros: 010 is octal to some parsers and decimal to others.
      if (!parts[i].matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(parts[i]) > 255) {
        return Optional.empty();
      }
      bytes[i] = (byte) Integer.parseInt(parts[i]);
    }
    return Optional.of(new IpAddress(bytes));
  }

  /**
   * An address with a prefix length, e.g. 192.168.10.5/24.
   *
   * @param prefix 0 to 32 (IPv4) or 128 (IPv6)
   */
  record Cidr(IpAddress address, int prefix) {

    static Optional<Cidr> parse(String text) {
      int slash = text == null ? -1 : text.indexOf('/');
      if (slash < 0 || !text.substring(slash + 1).matches("[0-9]{1,3}")) {
        return Optional.empty();
      }
      int prefix = Integer.parseInt(text.substring(slash + 1));
      return IpAddress.parse(text.substring(0, slash))
          .filter(a -> prefix <= a.bits())
          .map(a -> new Cidr(a, prefix));
    }

    boolean contains(IpAddress other) {
      if (other.bits() != address.bits()) {
        return false;
      }
      int shift = address.bits() - prefix;
      return address.value().shiftRight(shift).equals(other.value().shiftRight(shift));
    }

    /** Whether the address is the subnet's own (all host bits 0) or its IPv4 broadcast (all 1). */
    Optional<String> reservedHostAddress() {
      int hostBits = address.bits() - prefix;
      if (!address.isV4() || hostBits < 2) {
        return Optional.empty(); // /31 and /32 have no network or broadcast address (RFC 3021)
      }
      BigInteger host =
          address.value().and(BigInteger.ONE.shiftLeft(hostBits).subtract(BigInteger.ONE));
      if (host.signum() == 0) {
        return Optional.of("the network's own address");
      }
      if (host.equals(BigInteger.ONE.shiftLeft(hostBits).subtract(BigInteger.ONE))) {
        return Optional.of("the network's broadcast address");
      }
      return Optional.empty();
    }
  }
}
