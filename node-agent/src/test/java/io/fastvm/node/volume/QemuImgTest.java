package io.fastvm.node.volume;

import static io.fastvm.node.volume.populate.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastvm.node.volume.QemuImg.ImageInfo;
import io.fastvm.node.volume.QemuImg.QemuImgException;
import io.fastvm.node.volume.populate.SmallFileSystem;
import io.fastvm.node.volume.populate.TestImages;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The qemu-img wrapper against the real qemu-img, on real files. */
class QemuImgTest {

  @TempDir Path dir;
  private QemuImg qemuImg;

  @BeforeEach
  void findQemuImg() {
    TestImages.assumeQemuTools();
    qemuImg = QemuImg.find().orElseThrow();
  }

  @Test
  void createMakesSparseImagesOfTheRequestedVirtualSize() throws Exception {
    for (String format : List.of("qcow2", "raw")) {
      Path image = dir.resolve("blank." + format);
      qemuImg.create(image, format, 64L * MIB);
      ImageInfo info = qemuImg.info(image, format);
      assertThat(info.format()).isEqualTo(format);
      assertThat(info.virtualSize()).isEqualTo(64L * MIB);
      assertThat(info.actualSize()).as("allocated bytes of a blank " + format).isLessThan(MIB);
      assertThat(info.externalFile()).isEmpty();
      qemuImg.check(image, format);
    }
  }

  @Test
  void infoNamesBackingAndDataFiles() throws Exception {
    Path base = dir.resolve("base.raw");
    qemuImg.create(base, "raw", 4 * MIB);
    Path overlay = dir.resolve("overlay.qcow2");
    qemuImg.createOverlay(overlay, base, "raw", 8 * MIB);
    ImageInfo info = qemuImg.info(overlay, "qcow2");
    assertThat(info.backingFilename()).isEqualTo(base.toString());
    assertThat(info.virtualSize()).isEqualTo(8 * MIB);
    assertThat(info.externalFile()).contains("backing file " + base);

    Path withDataFile = dir.resolve("data-file.qcow2");
    TestImages.run(
        "qemu-img",
        "create",
        "-q",
        "-f",
        "qcow2",
        "-o",
        "data_file=" + dir.resolve("host-file"),
        withDataFile.toString(),
        "1M");
    assertThat(qemuImg.info(withDataFile, "qcow2").dataFile())
        .isEqualTo(dir.resolve("host-file").toString());
  }

  @Test
  void infoWithTheWrongFormatFailsNamingTheFile() throws Exception {
    Path raw = TestImages.image(dir, "plain", TestImages.rawDisk(MIB, 1), "raw");
    assertThatThrownBy(() -> qemuImg.info(raw, "qcow2"))
        .isInstanceOf(QemuImgException.class)
        .hasMessageContaining("qemu-img info " + raw)
        .hasMessageContaining("qcow2");
    assertThatThrownBy(() -> qemuImg.info(dir.resolve("missing.img"), "raw"))
        .hasMessageContaining("missing.img")
        .hasMessageContaining("No such file");
  }

  @Test
  void probeReadsTheFormatFromTheContent() throws Exception {
    byte[] content = TestImages.rawDisk(2 * MIB, 2);
    assertThat(qemuImg.probe(TestImages.image(dir, "a", content, "qcow2")).format())
        .isEqualTo("qcow2");
    assertThat(qemuImg.probe(TestImages.image(dir, "b", content, "vdi")).format()).isEqualTo("vdi");
    assertThat(qemuImg.probe(TestImages.image(dir, "c", content, "raw")).format()).isEqualTo("raw");
  }

  @Test
  void convertCopiesTheContentSparselyAndReportsProgress() throws Exception {
    byte[] content = TestImages.rawDisk(4 * MIB, 3);
    Path raw = TestImages.image(dir, "source", content, "raw");
    Path qcow2 = dir.resolve("converted.qcow2");
    List<Double> progress = new CopyOnWriteArrayList<>();
    qemuImg.convert(raw, "raw", qcow2, "qcow2", progress::add);
    assertThat(TestImages.sameContent(raw, "raw", qcow2, "qcow2")).isTrue();
    assertThat(progress).isNotEmpty().isSorted();
    assertThat(progress.getLast()).isEqualTo(1.0);

    Path back = dir.resolve("back.raw");
    qemuImg.convert(qcow2, "qcow2", back, "raw", null);
    assertThat(Files.readAllBytes(back)).isEqualTo(content);
    // The MiB of zeros in the middle is a hole.
    assertThat(qemuImg.info(back, "raw").actualSize()).isLessThanOrEqualTo(3L * MIB);
  }

  @Test
  void resizeGrowsAndKeepsTheContent() throws Exception {
    for (String format : List.of("qcow2", "raw")) {
      Path image = dir.resolve("grow." + format);
      qemuImg.create(image, format, 2 * MIB);
      TestImages.writePattern(image, format, 0x5a, MIB, 64 * 1024);
      qemuImg.resize(image, format, 6 * MIB);
      assertThat(qemuImg.info(image, format).virtualSize()).isEqualTo(6 * MIB);
      assertThat(TestImages.hasPattern(image, format, 0x5a, MIB, 64 * 1024)).isTrue();
      assertThat(TestImages.hasPattern(image, format, 0, 4 * MIB, 64 * 1024)).isTrue();
      // Shrinking needs --shrink, which is never passed.
      assertThatThrownBy(() -> qemuImg.resize(image, format, MIB))
          .isInstanceOf(QemuImgException.class)
          .hasMessageContaining("shrink");
    }
  }

  @Test
  void checkFindsACorruptQcow2() throws Exception {
    Path image = TestImages.image(dir, "broken", TestImages.rawDisk(2 * MIB, 4), "qcow2");
    qemuImg.check(image, "qcow2");
    // Zero the first refcount block: every cluster in use then counts as free.
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.seek(48);
      long refcountTable = file.readLong();
      file.seek(refcountTable);
      long refcountBlock = file.readLong();
      file.seek(refcountBlock);
      file.write(new byte[65536]);
    }
    assertThatThrownBy(() -> qemuImg.check(image, "qcow2"))
        .isInstanceOf(QemuImgException.class)
        .hasMessageContaining("the image is corrupt")
        .hasMessageContaining(image.toString());
    // raw has no metadata: nothing to check, whatever the bytes.
    qemuImg.check(image, "raw");
  }

  @Test
  void namesThatLookLikeProtocolsOrOptionsAreJustFiles() throws Exception {
    for (String name : List.of("nbd:127.0.0.1:1", "json:{}", "-f")) {
      Path image = dir.resolve(name);
      qemuImg.create(image, "qcow2", MIB);
      assertThat(Files.isRegularFile(image)).as(name).isTrue();
      assertThat(qemuImg.info(image, "qcow2").virtualSize()).isEqualTo(MIB);
    }
    // Relative names are where qemu-img would see a protocol ("json:" before any "/") or an
    // option: one in the working directory (removed at once).
    for (String prefix : List.of("json:{}", "-f")) {
      Path relative = Path.of(prefix + UUID.randomUUID() + ".qcow2");
      try {
        qemuImg.create(relative, "qcow2", MIB);
        assertThat(Files.isRegularFile(relative)).as(relative.toString()).isTrue();
        assertThat(qemuImg.info(relative, "qcow2").virtualSize()).isEqualTo(MIB);
      } finally {
        Files.deleteIfExists(relative);
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS) // qemu-io not answering must not hang the suite
  void anImageInUseIsRefusedByItsLockNotRead() throws Exception {
    Path image = dir.resolve("in-use.qcow2");
    qemuImg.create(image, "qcow2", MIB);
    // qemu-io keeps the image open for writing while it waits for commands on stdin.
    Process holder = new ProcessBuilder("qemu-io", "-f", "qcow2", image.toString()).start();
    try {
      OutputStream commands = holder.getOutputStream();
      commands.write("length\n".getBytes(StandardCharsets.UTF_8));
      commands.flush();
      BufferedReader answers =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = answers.readLine()) != null && !line.contains("MiB")) {
        // the prompt; the answer to "length" proves the image is open
      }
      assertThat(line).as("qemu-io's answer").contains("1 MiB");
      assertThatThrownBy(() -> qemuImg.info(image, "qcow2"))
          .isInstanceOfSatisfying(
              QemuImgException.class, e -> assertThat(e.locked()).as(e.getMessage()).isTrue());
    } finally {
      holder.getOutputStream().close();
      if (!holder.waitFor(30, TimeUnit.SECONDS)) {
        holder.destroyForcibly();
      }
    }
  }

  @Test
  void aFullFileSystemIsToldApart() throws Exception {
    Path source = TestImages.image(dir, "big", TestImages.rawDisk(12 * MIB, 5), "raw");
    try (SmallFileSystem small = SmallFileSystem.mount(dir.resolve("small"), 4)) {
      Path target = small.path().resolve("out.qcow2");
      assertThatThrownBy(() -> qemuImg.convert(source, "raw", target, "qcow2", null))
          .isInstanceOfSatisfying(
              QemuImgException.class,
              e -> {
                assertThat(e.noSpace()).as(e.getMessage()).isTrue();
                assertThat(e.locked()).isFalse();
              });
    }
  }
}
