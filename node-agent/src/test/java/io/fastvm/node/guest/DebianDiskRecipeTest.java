package io.fastvm.node.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a Debian disk recipe accepts, and what names its cache entry. */
class DebianDiskRecipeTest {

  private static DebianDiskRecipe recipe(List<String> packages, String content) {
    return new DebianDiskRecipe(
        "bookworm",
        "http://deb.debian.org/debian",
        List.of(DebianKernel.CLOUD),
        List.of("virtio_blk"),
        packages,
        List.of(new DebianDiskRecipe.File("etc/motd", 0644, content)),
        List.of(List.of("true")),
        1,
        "root=/dev/vda");
  }

  @Test
  void namesThatDebootstrapOrAptWouldTakeAsOptionsAreRefused() {
    assertThatThrownBy(() -> recipe(List.of("--allow-unauthenticated"), ""))
        .hasMessageContaining("not a Debian package or suite name: --allow-unauthenticated");
    assertThatThrownBy(
            () ->
                new DebianDiskRecipe(
                    "--foreign",
                    "http://deb.debian.org/debian",
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(),
                    List.of(),
                    1,
                    ""))
        .hasMessageContaining("--foreign");
  }

  @Test
  void filesStayInsideTheRoot() {
    for (String path : List.of("/etc/passwd", "../etc/passwd", "etc/../../x", "etc//x", "")) {
      assertThatThrownBy(() -> new DebianDiskRecipe.File(path, 0644, ""))
          .as(path)
          .hasMessageContaining("not a relative path inside the root");
    }
    assertThat(new DebianDiskRecipe.File("usr/local/sbin/fastvm-report", 0755, "").path())
        .isEqualTo("usr/local/sbin/fastvm-report");
  }

  @Test
  void theCacheKeyFollowsEveryInput() {
    String key = recipe(List.of("sudo"), "hello").digest("f");
    assertThat(recipe(List.of("sudo"), "hello").digest("f")).isEqualTo(key);
    assertThat(recipe(List.of("sudo"), "hello!").digest("f")).isNotEqualTo(key);
    assertThat(recipe(List.of("sudo", "dbus"), "hello").digest("f")).isNotEqualTo(key);
    assertThat(recipe(List.of("sudo"), "hello").digest("g")).isNotEqualTo(key);
  }

  @Test
  void modesBecomePermissions() {
    assertThat(PosixFilePermissions.toString(RootBuild.permissions(0755))).isEqualTo("rwxr-xr-x");
    assertThat(PosixFilePermissions.toString(RootBuild.permissions(0640))).isEqualTo("rw-r-----");
    assertThat(PosixFilePermissions.toString(RootBuild.permissions(0444))).isEqualTo("r--r--r--");
  }
}
