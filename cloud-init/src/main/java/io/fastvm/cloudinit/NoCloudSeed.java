package io.fastvm.cloudinit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The three files of a NoCloud seed.
 *
 * @param networkConfig network-config version 2, or null to let the guest use its default (DHCP)
 */
public record NoCloudSeed(String userData, String metaData, String networkConfig) {

  public static final String USER_DATA = "user-data";
  public static final String META_DATA = "meta-data";
  public static final String NETWORK_CONFIG = "network-config";

  /** The meta-data's instance-id (cloud-init runs per-instance modules again when it changes). */
  public String instanceId() {
    try {
      return new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
          .readTree(metaData)
          .path("instance-id")
          .asText();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("meta-data is not YAML", e);
    }
  }

  /** Writes the files into {@code dir} (created if needed), readable by the owner only. */
  public void writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    write(dir.resolve(USER_DATA), userData);
    write(dir.resolve(META_DATA), metaData);
    // A network-config left from an earlier seed must not reach this one's ISO.
    Files.deleteIfExists(dir.resolve(NETWORK_CONFIG));
    if (networkConfig != null) {
      write(dir.resolve(NETWORK_CONFIG), networkConfig);
    }
  }

  private static void write(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content);
  }
}
