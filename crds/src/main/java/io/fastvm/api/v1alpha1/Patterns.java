package io.fastvm.api.v1alpha1;

/**
 * Regular expressions and CEL snippets shared by the schema annotations. They keep every user
 * string that later reaches a QEMU option or a file name to a safe alphabet, so the launcher's
 * escaping is a second line of defence rather than the only one.
 */
public final class Patterns {
  private Patterns() {}

  /** RFC 1123 label: disk, network and port names become QEMU ids and file names. */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  /** RFC 1123 subdomain: names of other Kubernetes objects (Volume, CloudInitConfig, Secret). */
  public static final String OBJECT_NAME =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /**
   * A NetworkAttachmentDefinition, optionally in another namespace: {@code name} or {@code
   * ns/name}.
   */
  public static final String NETWORK_ATTACHMENT =
      "^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /**
   * A Kubernetes quantity without exponent forms, e.g. {@code 512Mi}, {@code 2Gi}, {@code 1.5G}.
   */
  public static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$";

  /** A unicast MAC address (the least significant bit of the first octet is 0). */
  public static final String UNICAST_MAC = "^[0-9a-fA-F][02468aAcCeE](:[0-9a-fA-F]{2}){5}$";

  /** QEMU CPU model names: letters, digits, dots, dashes and underscores; never a comma. */
  public static final String CPU_MODEL = "^[A-Za-z0-9][A-Za-z0-9._-]*$";

  /** Disk serials: SATA and virtio-blk hold at most 20 bytes. */
  public static final String DISK_SERIAL = "^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$";

  /** A lowercase hex SHA-256 digest. */
  public static final String SHA256 = "^[a-f0-9]{64}$";

  /** An http or https URL without whitespace. */
  public static final String HTTP_URL = "^https?://[^\\s]+$";

  /** A Linux user name as useradd accepts it by default. */
  public static final String LINUX_USER = "^[a-z_][a-z0-9_-]{0,31}$";

  /** A Debian/RPM package name, optionally with a version: {@code pkg} or {@code pkg=1.2}. */
  public static final String PACKAGE = "^[a-zA-Z0-9][a-zA-Z0-9.+_-]*(=[a-zA-Z0-9.+:~_-]+)?$";

  /** A hostname (RFC 1123, at most 63 characters per label). */
  public static final String HOSTNAME = DNS_LABEL;

  /** An IPv4 or IPv6 address (shape only; the renderer parses it properly). */
  public static final String IP = "^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F:]+)$";

  /** An IPv4 or IPv6 address with a prefix length. */
  public static final String CIDR =
      "^([0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}|[0-9a-fA-F:]+/[0-9]{1,3})$";
}
