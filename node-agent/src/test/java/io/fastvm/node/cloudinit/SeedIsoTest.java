package io.fastvm.node.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.cloudinit.NoCloudSeed;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed ISO the launcher builds with xorriso: what cloud-init's NoCloud source looks for. */
class SeedIsoTest {
  @TempDir Path tmp;

  @Test
  void seedIsoHasVolumeIdCidataAndTheFiles() throws Exception {
    NoCloudSeed seed =
        new NoCloudSeed(
            "#cloud-config\nhostname: web\n",
            "instance-id: i-1\nlocal-hostname: web\n",
            "version: 2\n");
    Path dir = tmp.resolve("seed");
    seed.writeTo(dir);
    Path iso = tmp.resolve("seed.iso");
    SeedIso.build(Path.of("/usr/bin/xorriso"), dir, iso);
    byte[] volumeId = new byte[32];
    try (RandomAccessFile f = new RandomAccessFile(iso.toFile(), "r")) {
      f.seek(16 * 2048 + 40); // primary volume descriptor, volume identifier
      f.readFully(volumeId);
    }
    assertThat(new String(volumeId, StandardCharsets.US_ASCII).strip()).isEqualTo("cidata");
    String listing = run("xorriso", "-indev", iso.toString(), "-ls", "/");
    assertThat(listing).contains("'user-data'", "'meta-data'", "'network-config'");
  }

  private static String run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", argv) + " failed: " + out);
    }
    return out;
  }
}
