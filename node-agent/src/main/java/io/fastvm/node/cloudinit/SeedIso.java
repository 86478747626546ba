package io.fastvm.node.cloudinit;

import io.fastvm.cloudinit.NoCloudSeed;
import io.fastvm.node.process.GuardedProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Packs a NoCloud seed folder into an ISO9660 image with volume id {@code cidata} (xorriso). */
public final class SeedIso {

  /** xorriso dies with the launcher, like QEMU. */
  private static final GuardedProcesses PROCESSES = new GuardedProcesses();

  private SeedIso() {}

  public static final String VOLUME_ID = "cidata";

  /** Checks the folder holds a seed; adds messages to {@code problems}. */
  public static void check(Path seedDir, List<String> problems) {
    for (String name : List.of(NoCloudSeed.USER_DATA, NoCloudSeed.META_DATA)) {
      if (!Files.isReadable(seedDir.resolve(name))) {
        problems.add("cloud-init seed " + seedDir + " has no readable " + name);
      }
    }
  }

  public static void build(Path xorriso, Path seedDir, Path iso)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    argv.addAll(
        List.of(
            xorriso.toString(),
            "-as",
            "mkisofs",
            "-quiet",
            "-output",
            iso.toString(),
            "-volid",
            VOLUME_ID,
            "-joliet",
            "-rock",
            "-graft-points"));
    for (String name :
        List.of(NoCloudSeed.USER_DATA, NoCloudSeed.META_DATA, NoCloudSeed.NETWORK_CONFIG)) {
      Path file = seedDir.resolve(name);
      if (Files.isRegularFile(file)) {
        // mkisofs pathspec: name in the image = file on disk; '=' and '\' in the path escaped.
        argv.add(name + "=" + file.toString().replace("\\", "\\\\").replace("=", "\\="));
      }
    }
    Files.deleteIfExists(iso);
    // Output goes to a file, not a pipe: reading a pipe would block past the timeout if xorriso
    // hung with its output open.
    Path log = Files.createTempFile(iso.getParent(), "xorriso", ".log");
    try {
      Process process =
          PROCESSES.start(
              argv,
              pb ->
                  pb.redirectErrorStream(true)
                      .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())));
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("xorriso did not finish within 60 s");
      }
      if (process.exitValue() != 0) {
        throw new IOException(
            "xorriso failed (status "
                + process.exitValue()
                + "): "
                + Files.readString(log, StandardCharsets.UTF_8).strip());
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
