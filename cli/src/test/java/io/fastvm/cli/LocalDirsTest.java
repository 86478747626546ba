package io.fastvm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared-/tmp fallback for sockets: private to the user, or refused. */
class LocalDirsTest {

  @TempDir Path tmp;

  @Test
  void createsTheDirectoryWithMode700() throws IOException {
    Path dir = LocalDirs.privateDirectory(tmp.resolve("fastvm-1000"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    assertThat(LocalDirs.privateDirectory(dir)).as("and accepts it again").isEqualTo(dir);
  }

  @Test
  void makesAnOpenDirectoryOfOursPrivate() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("fastvm-1000"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    LocalDirs.privateDirectory(dir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
  }

  @Test
  void refusesADirectorySomeoneElseMade() throws IOException {
    Assumptions.assumeTrue(
        System.getProperty("user.name").equals("root"), "changing a file's owner needs root");
    Path dir = Files.createDirectory(tmp.resolve("fastvm-1000"));
    UserPrincipal nobody =
        dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(dir, nobody);
    assertThatThrownBy(() -> LocalDirs.privateDirectory(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("must be a directory owned by root");
  }

  @Test
  void refusesASymbolicLinkPlantedInItsPlace() throws IOException {
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
    Path link = Files.createSymbolicLink(tmp.resolve("fastvm-1000"), elsewhere);
    assertThatThrownBy(() -> LocalDirs.privateDirectory(link)).isInstanceOf(IOException.class);
  }
}
