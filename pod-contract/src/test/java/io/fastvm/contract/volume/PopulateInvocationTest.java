package io.fastvm.contract.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastvm.contract.PodLayout;
import io.fastvm.contract.volume.PopulateInvocation.Blank;
import io.fastvm.contract.volume.PopulateInvocation.Copy;
import io.fastvm.contract.volume.PopulateInvocation.Http;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PopulateInvocationTest {

  private static final String SHA = "0123456789abcdef".repeat(4);

  @Test
  void everySourceRoundTrips() {
    List<PopulateInvocation> invocations =
        List.of(
            new PopulateInvocation(
                PopulateLayout.volumeMount("root"), "qcow2", 10L << 30, new Blank(), null),
            new PopulateInvocation(
                PopulateLayout.volumeMount("img"),
                "raw",
                1L << 30,
                new Http("https://example.com/a%20b,c=d.img?x=1&y=2=3#frag", SHA),
                PopulateLayout.TERMINATION_LOG),
            new PopulateInvocation(
                Path.of("/v"), "qcow2", 4096, new Http("http://10.0.0.1:8080/x.qcow2", null), null),
            new PopulateInvocation(
                PopulateLayout.volumeMount("copy"),
                "raw",
                1L << 40,
                new Copy(PopulateLayout.sourceImage("template"), "qcow2"),
                PopulateLayout.TERMINATION_LOG));
    for (PopulateInvocation invocation : invocations) {
      assertThat(PopulateInvocation.parse(invocation.toArgs())).isEqualTo(invocation);
    }
  }

  @Test
  void argumentsAreTheDocumentedOnes() {
    PopulateInvocation copy =
        new PopulateInvocation(
            Path.of("/var/lib/fastvm/volumes/c"),
            "qcow2",
            1048576,
            new Copy(Path.of("/var/lib/fastvm/sources/t/disk.img"), "raw"),
            Path.of("/dev/termination-log"));
    assertThat(copy.toArgs())
        .containsExactly(
            "--volume-dir=/var/lib/fastvm/volumes/c",
            "--format=qcow2",
            "--size=1048576",
            "--source=copy",
            "--copy-from=/var/lib/fastvm/sources/t/disk.img",
            "--copy-format=raw",
            "--termination-log=/dev/termination-log");
    assertThat(copy.imageFile()).isEqualTo(Path.of("/var/lib/fastvm/volumes/c/disk.img"));
    // The separate-value form parses too.
    assertThat(
            PopulateInvocation.parse(
                List.of(
                    "--volume-dir", "/v", "--format", "raw", "--size", "512", "--source", "blank")))
        .isEqualTo(new PopulateInvocation(Path.of("/v"), "raw", 512, new Blank(), null));
  }

  @Test
  void layoutMatchesTheVmPod() {
    assertThat(PopulateLayout.volumeMount("x")).isEqualTo(PodLayout.volumeMount("x"));
    assertThat(PopulateLayout.sourceImage("t"))
        .isEqualTo(Path.of("/var/lib/fastvm/sources/t/disk.img"));
    assertThat(PopulateLayout.POPULATE_COMMAND).isEqualTo("fastvm-populate");
  }

  @Test
  void badArgumentsAreRejectedWithTheirName() {
    List<String> blank = List.of("--volume-dir=/v", "--format=raw", "--size=512", "--source=blank");
    assertRejected(without(blank, "--volume-dir"), "missing required option --volume-dir");
    assertRejected(without(blank, "--size"), "missing required option --size");
    assertRejected(with(blank, "--format=vmdk"), "--format is given twice");
    assertRejected(
        List.of("--volume-dir=/v", "--format=vmdk", "--size=512", "--source=blank"),
        "--format must be qcow2 or raw, not vmdk");
    assertRejected(
        List.of("--volume-dir=/v", "--format=raw", "--size=1G", "--source=blank"),
        "--size must be a positive number of bytes, not \"1G\"");
    assertRejected(
        List.of("--volume-dir=/v", "--format=raw", "--size=0", "--source=blank"), "--size");
    assertRejected(
        List.of("--volume-dir=/v", "--format=raw", "--size=512", "--source=nbd"),
        "--source must be blank, http or copy, not nbd");
    assertRejected(with(blank, "--url=http://x/y"), "--url does not apply to --source=blank");
    assertRejected(with(blank, "--bogus=1"), "unknown option: --bogus");
    assertRejected(with(blank, "stray"), "unexpected argument: stray");
    assertRejected(with(blank, "--termination-log"), "missing value for --termination-log");

    List<String> http = List.of("--volume-dir=/v", "--format=raw", "--size=512", "--source=http");
    assertRejected(http, "--url is required for --source=http");
    assertRejected(with(http, "--url=file:///etc/passwd"), "--url must be an http or https URL");
    assertRejected(with(http, "--url=http://exa mple/"), "--url is not a valid URL");
    assertRejected(
        with(with(http, "--url=https://x/y"), "--sha256=" + SHA.toUpperCase()),
        "--sha256 must be 64 lowercase hex digits");
    assertRejected(
        with(with(http, "--url=https://x/y"), "--copy-from=/s"),
        "--copy-from does not apply to --source=http");

    List<String> copy = List.of("--volume-dir=/v", "--format=raw", "--size=512", "--source=copy");
    assertRejected(with(copy, "--copy-format=raw"), "--copy-from is required for --source=copy");
    assertRejected(with(copy, "--copy-from=/s"), "--copy-format is required");
    assertRejected(
        with(with(copy, "--copy-from=/s"), "--copy-format=vdi"),
        "--copy-format must be qcow2 or raw, not vdi");
  }

  private static void assertRejected(List<String> args, String message) {
    assertThatThrownBy(() -> PopulateInvocation.parse(args))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  private static List<String> with(List<String> args, String extra) {
    List<String> all = new ArrayList<>(args);
    all.add(extra);
    return all;
  }

  private static List<String> without(List<String> args, String option) {
    return args.stream().filter(a -> !a.startsWith(option + "=")).toList();
  }
}
