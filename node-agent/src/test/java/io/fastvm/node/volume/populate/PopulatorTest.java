package io.fastvm.node.volume.populate;

import static io.fastvm.node.volume.populate.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastvm.contract.volume.PopulateExitCode;
import io.fastvm.contract.volume.PopulateInvocation;
import io.fastvm.contract.volume.PopulateInvocation.Blank;
import io.fastvm.contract.volume.PopulateInvocation.Copy;
import io.fastvm.contract.volume.PopulateInvocation.Http;
import io.fastvm.contract.volume.PopulateResult;
import io.fastvm.node.volume.QemuImg;
import io.fastvm.node.volume.QemuImg.ImageInfo;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The populator's data work with the real qemu-img on real files, downloading from a real HTTP
 * server on 127.0.0.1.
 */
class PopulatorTest {

  @TempDir Path tmp;
  private Path volume;
  private ImageServer server;
  private QemuImg qemuImg;
  private final List<String> log = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    TestImages.assumeQemuTools();
    qemuImg = QemuImg.find().orElseThrow();
    volume = Files.createDirectories(tmp.resolve("volume"));
    server = ImageServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private PopulateResult populate(PopulateInvocation invocation) throws Exception {
    ProgressReporter progress = ProgressReporter.none();
    return new Populator(
            qemuImg, new HttpImport(HttpImportTest.FAST, progress, log::add), progress, log::add)
        .populate(invocation);
  }

  private PopulateResult populate(String format, long size, PopulateInvocation.Source source)
      throws Exception {
    return populate(new PopulateInvocation(volume, format, size, source, null));
  }

  private Path image() {
    return volume.resolve("disk.img");
  }

  /** What the volume folder holds, temporary files included, the lock file excepted. */
  private Set<String> files() throws IOException {
    try (Stream<Path> list = Files.list(volume)) {
      return list.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(VolumeDir.LOCK))
          .collect(Collectors.toSet());
    }
  }

  private void assertFails(ThrowingCallable run, int exitCode, String... message) {
    var failure =
        assertThatThrownBy(run)
            .isInstanceOfSatisfying(
                PopulateException.class,
                e -> assertThat(e.exitCode()).as(e.getMessage()).isEqualTo(exitCode));
    for (String part : message) {
      failure.hasMessageContaining(part);
    }
  }

  private Http http(URI url, byte[] content) {
    return new Http(url.toString(), TestImages.sha256(content));
  }

  @Test
  void blankImagesHaveTheRequestedVirtualSize() throws Exception {
    for (String format : List.of("qcow2", "raw")) {
      Files.deleteIfExists(volume.resolve(VolumeDir.MARKER));
      Files.deleteIfExists(image());
      PopulateResult result = populate(format, 64L * MIB, new Blank());
      ImageInfo info = qemuImg.info(image(), format);
      assertThat(info.virtualSize()).isEqualTo(64L * MIB);
      assertThat(result).isEqualTo(new PopulateResult(64L * MIB, info.actualSize(), format, null));
      assertThat(result.allocatedSize()).isLessThan(MIB);
      assertThat(files()).containsExactlyInAnyOrder("disk.img", VolumeDir.MARKER);
    }
  }

  @Test
  void sizesAreRoundedUpToWholeSectors() throws Exception {
    assertThat(populate("raw", 1000, new Blank()).virtualSize()).isEqualTo(1024);
  }

  @Test
  void aRawDownloadForARawVolumeIsKeptAsItCameAndGrown() throws Exception {
    byte[] content = TestImages.rawDisk(4 * MIB, 21);
    URI url = server.serve("/disk.raw", content);
    PopulateResult result = populate("raw", 8L * MIB, http(url, content));
    assertThat(result.virtualSize()).isEqualTo(8L * MIB);
    assertThat(result.sha256()).isEqualTo(TestImages.sha256(content));
    byte[] disk = Files.readAllBytes(image());
    assertThat(disk).hasSize(8 * MIB);
    assertThat(java.util.Arrays.copyOf(disk, content.length)).isEqualTo(content);
    assertThat(java.util.Arrays.copyOfRange(disk, content.length, disk.length))
        .containsOnly((byte) 0);
    assertThat(files()).containsExactlyInAnyOrder("disk.img", VolumeDir.MARKER);
    assertThat(log).noneMatch(l -> l.startsWith("converting"));
  }

  @Test
  void aQcow2DownloadIsConvertedToRaw() throws Exception {
    byte[] content = TestImages.rawDisk(4 * MIB, 22);
    Path source = TestImages.image(tmp, "source", content, "qcow2");
    byte[] served = Files.readAllBytes(source);
    URI url = server.serve("/disk.qcow2", served);
    PopulateResult result = populate("raw", 4L * MIB, http(url, served));
    assertThat(TestImages.sameContent(source, "qcow2", image(), "raw")).isTrue();
    assertThat(Files.readAllBytes(image())).isEqualTo(content);
    assertThat(result.format()).isEqualTo("raw");
    assertThat(result.sha256()).isEqualTo(TestImages.sha256(served));
    assertThat(files()).containsExactlyInAnyOrder("disk.img", VolumeDir.MARKER);
    assertThat(log).anyMatch(l -> l.startsWith("converting"));
  }

  @Test
  void aRawDownloadIsConvertedToQcow2AndGrown() throws Exception {
    byte[] content = TestImages.rawDisk(4 * MIB, 23);
    URI url = server.serve("/disk.iso", content);
    PopulateResult result = populate("qcow2", 16L * MIB, http(url, content));
    assertThat(qemuImg.info(image(), "qcow2").virtualSize()).isEqualTo(16L * MIB);
    assertThat(result.virtualSize()).isEqualTo(16L * MIB);
    Path source = TestImages.image(tmp, "expected", content, "raw");
    assertThat(TestImages.sameContent(source, "raw", image(), "qcow2")).isTrue();
    assertThat(files()).containsExactlyInAnyOrder("disk.img", VolumeDir.MARKER);
  }

  @Test
  void imagesOfOtherHypervisorsAreConverted() throws Exception {
    byte[] content = TestImages.rawDisk(2 * MIB, 24);
    Path vdi = TestImages.image(tmp, "source", content, "vdi");
    byte[] served = Files.readAllBytes(vdi);
    URI url = server.serve("/disk.vdi", served);
    populate("qcow2", 2L * MIB, http(url, served));
    assertThat(TestImages.sameContent(vdi, "vdi", image(), "qcow2")).isTrue();
  }

  @Test
  void vmdkIsRefused() throws Exception {
    Path vmdk = TestImages.image(tmp, "source", TestImages.rawDisk(MIB, 25), "vmdk");
    byte[] served = Files.readAllBytes(vmdk);
    URI url = server.serve("/disk.vmdk", served);
    assertFails(
        () -> populate("qcow2", 2L * MIB, http(url, served)),
        PopulateExitCode.PERMANENT,
        "is a vmdk image");
    assertThat(files()).isEmpty();
  }

  @Test
  void aBadChecksumFailsAndLeavesNothingAndTheOldImageUntouched() throws Exception {
    byte[] old = TestImages.rawDisk(MIB, 26);
    Files.write(image(), old);
    byte[] content = TestImages.rawDisk(2 * MIB, 27);
    URI url = server.serve("/disk.raw", content);
    String wrong = TestImages.sha256(old);
    assertFails(
        () -> populate("raw", 4L * MIB, new Http(url.toString(), wrong)),
        PopulateExitCode.PERMANENT,
        "expected SHA-256 " + wrong,
        "got " + TestImages.sha256(content));
    assertThat(files()).containsExactly("disk.img");
    assertThat(Files.readAllBytes(image())).isEqualTo(old);
  }

  @Test
  void notFoundFailsNamingTheStatus() throws Exception {
    assertFails(
        () -> populate("raw", MIB, new Http(server.uri("/nothing").toString(), null)),
        PopulateExitCode.PERMANENT,
        "HTTP 404");
    assertThat(files()).isEmpty();
  }

  @Test
  void aCutDownloadIsResumedAndCompleted() throws Exception {
    byte[] content = TestImages.rawDisk(4 * MIB, 28);
    URI url =
        server.serve(
            "/disk.raw", content, true, n -> n == 1 ? new ImageServer.Cut() : new ImageServer.Ok());
    populate("raw", 4L * MIB, http(url, content));
    assertThat(Files.readAllBytes(image())).isEqualTo(content);
    assertThat(server.rangesOf("/disk.raw")).hasSize(2).last().asString().startsWith("bytes=");
  }

  @Test
  void aServerThatKeepsLyingAboutContentLengthFailsAsTransient() throws Exception {
    byte[] content = TestImages.rawDisk(2 * MIB, 29);
    URI url = server.serve("/disk.raw", content, false, n -> new ImageServer.Lie(4096));
    assertFails(
        () -> populate("raw", 4L * MIB, http(url, content)),
        PopulateExitCode.TRANSIENT,
        "Content-Length");
    assertThat(files()).isEmpty();
  }

  @Test
  void aQcow2WithABackingFileIsRefused() throws Exception {
    // The backing file a malicious image names: a host file the guest must never read.
    Path secret = tmp.resolve("host-secret.raw");
    Files.write(secret, TestImages.rawDisk(MIB, 30));
    Path overlay = tmp.resolve("overlay.qcow2");
    qemuImg.createOverlay(overlay, secret, "raw", MIB);
    byte[] served = Files.readAllBytes(overlay);
    URI url = server.serve("/disk.qcow2", served);
    assertFails(
        () -> populate("raw", 4L * MIB, http(url, served)),
        PopulateExitCode.PERMANENT,
        "backing file " + secret,
        "refused");
    assertThat(files()).isEmpty();
  }

  @Test
  void aQcow2WithAnExternalDataFileIsRefused() throws Exception {
    Path withDataFile = tmp.resolve("data-file.qcow2");
    TestImages.run(
        "qemu-img",
        "create",
        "-q",
        "-f",
        "qcow2",
        "-o",
        "data_file=" + tmp.resolve("host-file"),
        withDataFile.toString(),
        "1M");
    byte[] served = Files.readAllBytes(withDataFile);
    URI url = server.serve("/disk.qcow2", served);
    assertFails(
        () -> populate("qcow2", 4L * MIB, http(url, served)),
        PopulateExitCode.PERMANENT,
        "external data file");
    assertThat(files()).isEmpty();
  }

  @Test
  void aCorruptQcow2IsRefused() throws Exception {
    Path image = TestImages.image(tmp, "corrupt", TestImages.rawDisk(2 * MIB, 31), "qcow2");
    try (FileChannel file =
        FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(8);
      file.read(header, 48);
      long refcountTable = header.flip().getLong();
      java.nio.ByteBuffer entry = java.nio.ByteBuffer.allocate(8);
      file.read(entry, refcountTable);
      file.write(java.nio.ByteBuffer.allocate(65536), entry.flip().getLong());
    }
    byte[] served = Files.readAllBytes(image);
    URI url = server.serve("/disk.qcow2", served);
    assertFails(
        () -> populate("qcow2", 4L * MIB, http(url, served)),
        PopulateExitCode.PERMANENT,
        "is broken",
        "corrupt");
    assertThat(files()).isEmpty();
  }

  @Test
  void anEncryptedQcow2IsRefused() throws Exception {
    Path encrypted = tmp.resolve("encrypted.qcow2");
    TestImages.run(
        "qemu-img",
        "create",
        "-q",
        "-f",
        "qcow2",
        "--object",
        "secret,id=key,data=not-given-to-the-populator",
        "-o",
        "encrypt.format=luks,encrypt.key-secret=key,encrypt.iter-time=10",
        encrypted.toString(),
        "1M");
    byte[] served = Files.readAllBytes(encrypted);
    URI url = server.serve("/disk.qcow2", served);
    assertFails(
        () -> populate("qcow2", 4L * MIB, http(url, served)),
        PopulateExitCode.PERMANENT,
        "is broken",
        "encrypt");
    assertThat(files()).isEmpty();
  }

  @Test
  void anImageBiggerThanTheVolumeIsRefusedNamingBothSizes() throws Exception {
    byte[] content = TestImages.rawDisk(8 * MIB, 32);
    URI url = server.serve("/disk.raw", content);
    assertFails(
        () -> populate("raw", 4L * MIB, http(url, content)),
        PopulateExitCode.PERMANENT,
        "virtual size of " + 8 * MIB + " bytes",
        "the Volume's size of " + 4 * MIB + " bytes");
    assertThat(files()).isEmpty();
  }

  @Test
  void aFullPvcFailsWithNoSpaceAndKeepsTheOldImage() throws Exception {
    try (SmallFileSystem small = SmallFileSystem.mount(tmp.resolve("pvc"), 16)) {
      volume = small.path();
      byte[] old = TestImages.rawDisk(4 * MIB, 33);
      Files.write(image(), old);
      byte[] content = TestImages.rawDisk(24 * MIB, 34);
      URI url = server.serve("/big.raw", content);
      assertFails(
          () -> populate("raw", 32L * MIB, http(url, content)),
          PopulateExitCode.NO_SPACE,
          "the Volume's PVC is full",
          "the image needs about " + content.length + " bytes");
      assertThat(files()).containsExactly("disk.img");
      assertThat(TestImages.sha256(image())).isEqualTo(TestImages.sha256(old));
    }
  }

  @Test
  void aFullPvcDuringConversionFailsWithNoSpace() throws Exception {
    try (SmallFileSystem small = SmallFileSystem.mount(tmp.resolve("pvc"), 16)) {
      volume = small.path();
      // 10 MiB of qcow2 download fit; its 10 MiB conversion to raw next to it does not.
      byte[] content = TestImages.rawDisk(10 * MIB, 35);
      Path qcow2 = TestImages.image(tmp, "source", content, "qcow2");
      byte[] served = Files.readAllBytes(qcow2);
      URI url = server.serve("/disk.qcow2", served);
      assertFails(
          () -> populate("raw", 10L * MIB, http(url, served)),
          PopulateExitCode.NO_SPACE,
          "the Volume's PVC is full",
          "converting");
      assertThat(files()).isEmpty();
    }
  }

  @Test
  void aCopyIsIndependentOfItsSource() throws Exception {
    byte[] content = TestImages.rawDisk(4 * MIB, 36);
    Path source = TestImages.image(tmp, "template", content, "qcow2");
    String sourceSha = TestImages.sha256(source);
    PopulateResult result = populate("raw", 8L * MIB, new Copy(source, "qcow2"));
    assertThat(result).isEqualTo(new PopulateResult(8L * MIB, result.allocatedSize(), "raw", null));
    assertThat(TestImages.sameContent(source, "qcow2", image(), "raw")).isTrue();
    // Writing into the copy changes the copy only.
    TestImages.writePattern(image(), "raw", 0x77, 0, 64 * 1024);
    assertThat(TestImages.hasPattern(image(), "raw", 0x77, 0, 64 * 1024)).isTrue();
    assertThat(TestImages.sha256(source)).isEqualTo(sourceSha);
    assertThat(TestImages.sameContent(source, "qcow2", image(), "raw")).isFalse();
    assertThat(files()).containsExactlyInAnyOrder("disk.img", VolumeDir.MARKER);
  }

  @Test
  void aCopyOfAnOverlayIsRefused() throws Exception {
    Path base = tmp.resolve("base.raw");
    qemuImg.create(base, "raw", MIB);
    Path overlay = tmp.resolve("overlay.qcow2");
    qemuImg.createOverlay(overlay, base, "raw", MIB);
    assertFails(
        () -> populate("qcow2", MIB, new Copy(overlay, "qcow2")),
        PopulateExitCode.PERMANENT,
        "backing file " + base);
    assertThat(files()).isEmpty();
  }

  @Test
  void aCopyOfAMissingSourceFailsNamingIt() throws Exception {
    Path missing = tmp.resolve("sources/template/disk.img");
    assertFails(
        () -> populate("qcow2", MIB, new Copy(missing, "raw")),
        PopulateExitCode.PERMANENT,
        missing + " does not exist");
  }

  @Test
  void aCopyWhoseSourceIsNotItsDeclaredFormatIsRefused() throws Exception {
    Path raw = TestImages.image(tmp, "plain", TestImages.rawDisk(MIB, 37), "raw");
    assertFails(
        () -> populate("qcow2", MIB, new Copy(raw, "qcow2")),
        PopulateExitCode.PERMANENT,
        "is not a usable qcow2 image");
  }

  @Test
  void rerunningWithABiggerSizeGrowsTheImageAndKeepsItsContent() throws Exception {
    populate("qcow2", 4L * MIB, new Blank());
    TestImages.writePattern(image(), "qcow2", 0x42, 3L * MIB, 64 * 1024);
    PopulateResult grown = populate("qcow2", 8L * MIB, new Blank());
    assertThat(grown.virtualSize()).isEqualTo(8L * MIB);
    assertThat(qemuImg.info(image(), "qcow2").virtualSize()).isEqualTo(8L * MIB);
    assertThat(TestImages.hasPattern(image(), "qcow2", 0x42, 3L * MIB, 64 * 1024)).isTrue();
    // Recorded: a third run reports the grown size.
    assertThat(populate("qcow2", 8L * MIB, new Blank())).isEqualTo(grown);
  }

  @Test
  void rerunningAfterSuccessReportsTheSameResultWithoutDownloading() throws Exception {
    byte[] content = TestImages.rawDisk(2 * MIB, 38);
    URI url = server.serve("/disk.raw", content);
    PopulateInvocation invocation =
        new PopulateInvocation(volume, "qcow2", 4L * MIB, new Http(url.toString(), null), null);
    PopulateResult first = populate(invocation);
    assertThat(first.sha256()).isEqualTo(TestImages.sha256(content));
    PopulateResult again = populate(invocation);
    assertThat(again).isEqualTo(first);
    assertThat(server.requests("/disk.raw")).isEqualTo(1);
  }

  @Test
  void aVolumeAlreadyMadeFromAnotherSourceIsNotOverwritten() throws Exception {
    populate("raw", MIB, new Blank());
    byte[] before = Files.readAllBytes(image());
    byte[] content = TestImages.rawDisk(MIB, 39);
    URI url = server.serve("/disk.raw", content);
    assertFails(
        () -> populate("raw", MIB, http(url, content)),
        PopulateExitCode.PERMANENT,
        "made from blank",
        "cannot change");
    assertThat(Files.readAllBytes(image())).isEqualTo(before);
    assertThat(server.requests("/disk.raw")).isZero();
  }

  @Test
  void leftoversOfAKilledRunAreRemoved() throws Exception {
    Files.write(volume.resolve(VolumeDir.PART), new byte[1000]);
    Files.write(volume.resolve(VolumeDir.TMP), new byte[1000]);
    populate("qcow2", MIB, new Blank());
    assertThat(files()).containsExactlyInAnyOrder("disk.img", VolumeDir.MARKER);
  }

  @Test
  void aSecondPopulatorOnTheSameVolumeStops() throws Exception {
    try (FileChannel lock =
            FileChannel.open(
                volume.resolve(VolumeDir.LOCK),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        var held = lock.lock()) {
      assertFails(
          () -> populate("qcow2", MIB, new Blank()),
          PopulateExitCode.TRANSIENT,
          "another fastvm-populate is working on " + volume);
    }
    assertThat(files()).isEmpty();
  }

  @Test
  void aMissingVolumeFolderIsPermanent() {
    Path missing = tmp.resolve("not-mounted");
    assertFails(
        () -> populate(new PopulateInvocation(missing, "raw", MIB, new Blank(), null)),
        PopulateExitCode.PERMANENT,
        missing + " does not exist");
  }
}
