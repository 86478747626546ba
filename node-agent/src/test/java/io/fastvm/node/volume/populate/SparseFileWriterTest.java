package io.fastvm.node.volume.populate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseFileWriterTest {

  @TempDir Path dir;

  /** Bytes the file takes on disk (st_blocks). */
  private static long allocated(Path file) throws Exception {
    return Long.parseLong(TestImages.run("stat", "-c", "%b", file.toString()).strip()) * 512;
  }

  @Test
  void zerosBecomeHolesAtAnyOffsetAndTheContentIsExact() throws Exception {
    byte[] content = new byte[1 << 20];
    new Random(7).nextBytes(content);
    Arrays.fill(content, 100_000, 600_000, (byte) 0); // ~120 blocks of zeros
    Arrays.fill(content, content.length - 70_000, content.length, (byte) 0); // trailing zeros
    Path file = dir.resolve("image");
    try (SparseFileWriter out = SparseFileWriter.create(file, 8192)) {
      // Chunks of odd sizes: blocks straddle chunks, runs start mid-block.
      int position = 0;
      int chunk = 1;
      while (position < content.length) {
        int length = Math.min(chunk, content.length - position);
        out.write(content, position, length, position);
        position += length;
        chunk = chunk * 3 + 7;
      }
      out.finish(content.length);
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
    assertThat(allocated(file)).isLessThanOrEqualTo(content.length - 500_000L);
  }

  @Test
  void resetStartsOverFromAnEmptyFile() throws Exception {
    byte[] first = new byte[100_000];
    Arrays.fill(first, (byte) 1);
    byte[] second = new byte[50_000];
    Arrays.fill(second, (byte) 2);
    Arrays.fill(second, 0, 20_000, (byte) 0);
    Path file = dir.resolve("image");
    try (SparseFileWriter out = SparseFileWriter.create(file, 4096)) {
      out.write(first, 0, first.length, 0);
      out.reset();
      out.write(second, 0, second.length, 0);
      out.finish(second.length);
    }
    // The zeros at the start were skipped after the reset: they read as zeros, not as ones.
    assertThat(Files.readAllBytes(file)).isEqualTo(second);
  }
}
