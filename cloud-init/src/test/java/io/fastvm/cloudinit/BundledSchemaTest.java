package io.fastvm.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The build bundles cloud-init's own schema, byte for byte, from Debian's cloud-init package. */
class BundledSchemaTest {

  static final Path DEBIAN =
      Path.of(
          "/usr/lib/python3/dist-packages/cloudinit/config/schemas", CloudConfigSchema.RESOURCE);

  @Test
  void theBundledSchemaIsCloudInitsPublishedOne() throws Exception {
    Prerequisites.requireFile(DEBIAN, "cloud-init");
    try (InputStream in = CloudConfigSchema.class.getResourceAsStream(CloudConfigSchema.RESOURCE)) {
      assertThat(in).as("%s on the classpath", CloudConfigSchema.RESOURCE).isNotNull();
      assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(DEBIAN));
    }
  }
}
