package io.fastvm.node.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.node.manifest.ManifestSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images made with the real qemu-img. */
class VolumeResolverTest {

  @TempDir Path tmp;

  @Test
  void aStandaloneQcow2IsResolvedWithItsFormatFromTheHeader() throws Exception {
    Path image = qemuImg("create", "-f", "qcow2", tmp.resolve("root.qcow2").toString(), "64M");
    List<String> problems = new ArrayList<>();
    Optional<ResolvedVolume> resolved =
        resolver(Map.of("root", image)).resolve("root", "disk root", true, problems);
    assertThat(problems).isEmpty();
    assertThat(resolved).get().extracting(ResolvedVolume::format).isEqualTo(VolumeFormat.QCOW2);
  }

  /** A header could name any file (an SSH key, say) as backing file for the guest to read. */
  @Test
  void aQcow2NamingABackingFileIsRefusedBeforeAnythingStarts() throws Exception {
    Path secret = tmp.resolve("id_ed25519");
    Files.writeString(secret, "not for the guest");
    Path overlay =
        qemuImg(
            "create",
            "-f",
            "qcow2",
            "-F",
            "raw",
            "-b",
            secret.toString(),
            tmp.resolve("overlay.qcow2").toString(),
            "64M");
    List<String> problems = new ArrayList<>();
    Optional<ResolvedVolume> resolved =
        resolver(Map.of("root", overlay)).resolve("root", "disk root", true, problems);
    assertThat(resolved).isEmpty();
    assertThat(problems)
        .singleElement()
        .asString()
        .contains("disk root", "backing file " + secret, "only an overlay clone Volume");
  }

  private static VolumeResolver resolver(Map<String, Path> bindings) {
    return new VolumeResolver(
        new ManifestSet("default", "vm", null, Map.of(), Map.of(), Map.of()), bindings);
  }

  /** Runs qemu-img and returns the image it made (the argument before the size). */
  private static Path qemuImg(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("qemu-img"));
    argv.addAll(List.of(args));
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(output).isZero();
    return Path.of(args[args.length - 2]);
  }
}
