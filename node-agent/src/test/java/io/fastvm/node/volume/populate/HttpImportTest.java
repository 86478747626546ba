package io.fastvm.node.volume.populate;

import static io.fastvm.node.volume.populate.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.contract.volume.PopulateExitCode;
import io.fastvm.contract.volume.PopulateProgress;
import io.fastvm.node.volume.QemuImg;
import io.fastvm.node.volume.populate.ImageServer.Cut;
import io.fastvm.node.volume.populate.ImageServer.Lie;
import io.fastvm.node.volume.populate.ImageServer.Ok;
import io.fastvm.node.volume.populate.ImageServer.Stall;
import io.fastvm.node.volume.populate.ImageServer.Status;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The download against a real HTTP server on 127.0.0.1 that misbehaves on purpose. */
class HttpImportTest {

  /** Back-off in milliseconds: the retries are what is tested, not the waiting. */
  static final HttpImport.Settings FAST =
      new HttpImport.Settings(
          5,
          Duration.ofMillis(1),
          Duration.ofMillis(20),
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          1 << 20);

  @TempDir Path dir;
  private ImageServer server;
  private final byte[] content = TestImages.rawDisk(4 * MIB, 11);
  private final String sha256 = TestImages.sha256(content);
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

  @BeforeEach
  void startServer() throws Exception {
    server = ImageServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private HttpImport.Download download(URI url, String expected, HttpImport.Settings settings)
      throws Exception {
    ProgressReporter progress =
        new ProgressReporter(new PrintStream(stdout, true, StandardCharsets.UTF_8), Duration.ZERO);
    return new HttpImport(settings, progress, log::add)
        .download(url, expected, dir.resolve("download"));
  }

  private HttpImport.Download download(URI url) throws Exception {
    return download(url, sha256, FAST);
  }

  private void assertDownloaded(HttpImport.Download download) throws Exception {
    assertThat(download.bytes()).isEqualTo(content.length);
    assertThat(download.sha256()).isEqualTo(sha256);
    assertThat(Files.readAllBytes(dir.resolve("download"))).isEqualTo(content);
  }

  @Test
  void downloadsHashesAndReportsProgress() throws Exception {
    URI url = server.serve("/disk.raw", content);
    assertDownloaded(download(url));
    assertThat(server.requests("/disk.raw")).isEqualTo(1);
    List<PopulateProgress> lines =
        stdout
            .toString(StandardCharsets.UTF_8)
            .lines()
            .map(PopulateProgress::parse)
            .map(Optional::orElseThrow)
            .toList();
    assertThat(lines).isNotEmpty();
    assertThat(lines.getLast()).isEqualTo(new PopulateProgress(content.length, content.length));
    assertThat(lines.getFirst().bytesTotal()).isEqualTo(content.length);
  }

  @Test
  void withoutAnExpectedChecksumTheComputedOneIsReturned() throws Exception {
    URI url = server.serve("/disk.raw", content);
    assertDownloaded(download(url, null, FAST));
  }

  @Test
  void zerosAreLeftAsHoles() throws Exception {
    URI url = server.serve("/disk.raw", content);
    download(url);
    long allocated = QemuImg.find().orElseThrow().info(dir.resolve("download"), "raw").actualSize();
    // rawDisk has a MiB of zeros: not written.
    assertThat(allocated).isLessThanOrEqualTo(content.length - MIB);
  }

  @Test
  void aCutConnectionIsResumedWithRange() throws Exception {
    URI url = server.serve("/disk.raw", content, true, n -> n == 1 ? new Cut() : new Ok());
    assertDownloaded(download(url));
    List<String> ranges = server.rangesOf("/disk.raw");
    assertThat(ranges).hasSize(2);
    assertThat(ranges.get(0)).isEmpty();
    assertThat(ranges.get(1)).matches("bytes=[1-9][0-9]*-");
    assertThat(log).anyMatch(l -> l.contains("retrying") && l.contains("from byte"));
  }

  @Test
  void aCutConnectionStartsOverWhenTheServerIgnoresRange() throws Exception {
    URI url = server.serve("/disk.raw", content, false, n -> n == 1 ? new Cut() : new Ok());
    assertDownloaded(download(url));
    assertThat(server.requests("/disk.raw")).isEqualTo(2);
  }

  @Test
  void resumingWorksAtOffsetsThatAreNotBlockAligned() throws Exception {
    // Odd chunk sizes and several cuts: every resume starts mid-block.
    HttpImport.Settings oddChunks =
        new HttpImport.Settings(
            5,
            Duration.ofMillis(1),
            Duration.ofMillis(20),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            10_007);
    URI url = server.serve("/disk.raw", content, true, n -> n <= 3 ? new Cut() : new Ok());
    assertDownloaded(download(url, sha256, oddChunks));
    assertThat(server.requests("/disk.raw")).isEqualTo(4);
  }

  @Test
  void aContentLengthThatLiesOnceIsACut() throws Exception {
    URI url = server.serve("/disk.raw", content, false, n -> n == 1 ? new Lie(MIB) : new Ok());
    assertDownloaded(download(url));
    assertThat(server.requests("/disk.raw")).isEqualTo(2);
  }

  @Test
  void aServerThatKeepsLyingFailsAfterTheRetries() throws Exception {
    URI url = server.serve("/disk.raw", content, false, n -> new Lie(MIB));
    assertThatThrownBy(() -> download(url))
        .isInstanceOfSatisfying(
            PopulateException.class,
            e -> assertThat(e.exitCode()).isEqualTo(PopulateExitCode.TRANSIENT))
        .hasMessageContaining("failed 5 times in a row")
        // HttpClient may drop the last bytes before a failure: at most what was sent arrives.
        .hasMessageMatching(
            ".*after \\d+ of the "
                + (content.length + MIB)
                + " bytes its Content-Length promised.*")
        .hasMessageContaining("Content-Length");
    assertThat(server.requests("/disk.raw")).isEqualTo(5);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS) // a broken watchdog would wait forever
  void aStalledResponseIsGivenUpAndRetried() throws Exception {
    HttpImport.Settings shortStall =
        new HttpImport.Settings(
            5,
            Duration.ofMillis(1),
            Duration.ofMillis(20),
            Duration.ofSeconds(10),
            Duration.ofSeconds(1),
            1 << 20);
    URI url = server.serve("/disk.raw", content, true, n -> n == 1 ? new Stall() : new Ok());
    assertDownloaded(download(url, sha256, shortStall));
    assertThat(server.requests("/disk.raw")).isGreaterThanOrEqualTo(2);
    assertThat(log).anyMatch(l -> l.contains("no data for 1 s"));
  }

  @Test
  void notFoundIsPermanentAndNotRetried() throws Exception {
    URI url = server.uri("/missing.img");
    assertThatThrownBy(() -> download(url))
        .isInstanceOfSatisfying(
            PopulateException.class,
            e -> assertThat(e.exitCode()).isEqualTo(PopulateExitCode.PERMANENT))
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining(url.toString());
    assertThat(server.requests("/missing.img")).isEqualTo(1);
  }

  @Test
  void forbiddenIsPermanent() throws Exception {
    URI url = server.serve("/disk.raw", content, true, n -> new Status(403));
    assertThatThrownBy(() -> download(url))
        .isInstanceOfSatisfying(
            PopulateException.class,
            e -> assertThat(e.exitCode()).isEqualTo(PopulateExitCode.PERMANENT))
        .hasMessageContaining("HTTP 403");
    assertThat(server.requests("/disk.raw")).isEqualTo(1);
  }

  @Test
  void serverErrorsTimeoutsAndThrottlingAreRetried() throws Exception {
    URI url =
        server.serve(
            "/disk.raw",
            content,
            true,
            n ->
                switch (n) {
                  case 1 -> new Status(503);
                  case 2 -> new Status(429, Map.of("Retry-After", "0"));
                  case 3 -> new Status(408);
                  default -> new Ok();
                });
    assertDownloaded(download(url));
    assertThat(server.requests("/disk.raw")).isEqualTo(4);
    assertThat(log).anyMatch(l -> l.contains("HTTP 503")).anyMatch(l -> l.contains("HTTP 429"));
  }

  @Test
  void serverErrorsThatLastFailAsTransient() throws Exception {
    URI url = server.serve("/disk.raw", content, true, n -> new Status(500));
    assertThatThrownBy(() -> download(url))
        .isInstanceOfSatisfying(
            PopulateException.class,
            e -> assertThat(e.exitCode()).isEqualTo(PopulateExitCode.TRANSIENT))
        .hasMessageContaining("HTTP 500");
    assertThat(server.requests("/disk.raw")).isEqualTo(5);
  }

  @Test
  void redirectsAreFollowed() throws Exception {
    server.serve("/disk.raw", content);
    URI old =
        server.serve(
            "/old.raw", new byte[0], false, n -> new Status(302, Map.of("Location", "/disk.raw")));
    assertDownloaded(download(old));
  }

  @Test
  void aChecksumMismatchIsPermanentAndNamesBothDigests() throws Exception {
    URI url = server.serve("/disk.raw", content);
    String other = "0".repeat(64);
    assertThatThrownBy(() -> download(url, other, FAST))
        .isInstanceOfSatisfying(
            PopulateException.class,
            e -> assertThat(e.exitCode()).isEqualTo(PopulateExitCode.PERMANENT))
        .hasMessageContaining("expected SHA-256 " + other)
        .hasMessageContaining("got " + sha256);
  }

  @Test
  void anUnreachableServerFailsAsTransient() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0)) {
      port = closed.getLocalPort();
    }
    URI url = URI.create("http://127.0.0.1:" + port + "/disk.raw");
    assertThatThrownBy(() -> download(url))
        .isInstanceOfSatisfying(
            PopulateException.class,
            e -> assertThat(e.exitCode()).isEqualTo(PopulateExitCode.TRANSIENT))
        .hasMessageContaining("cannot connect to 127.0.0.1:" + port);
  }

  @Test
  void aFileThatCannotBeWrittenIsAWriteFailure() throws Exception {
    URI url = server.serve("/disk.raw", content);
    ProgressReporter progress = ProgressReporter.none();
    assertThatThrownBy(
            () ->
                new HttpImport(FAST, progress, log::add)
                    .download(url, sha256, dir.resolve("no-such-folder/download")))
        .isInstanceOf(HttpImport.WriteFailure.class)
        .hasMessageContaining("no-such-folder");
    assertThat(server.requests("/disk.raw")).isZero();
  }

  @Test
  void anUntrustedCertificateIsPermanent() throws Exception {
    // A server certificate from a CA the JDK's trust store does not hold.
    var ca =
        ConsoleCertificateAuthority.create(
            "untrusted test CA", Duration.ofDays(1), Clock.systemUTC());
    SSLContext tls =
        ca.issueServer(List.of("127.0.0.1"), Duration.ofDays(1)).toTlsMaterial().sslContext();
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(tls));
    https.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, content.length);
          try (var body = exchange.getResponseBody()) {
            body.write(content);
          }
        });
    https.start();
    try {
      URI url = URI.create("https://127.0.0.1:" + https.getAddress().getPort() + "/disk.raw");
      assertThatThrownBy(() -> download(url))
          .isInstanceOfSatisfying(
              PopulateException.class,
              e -> assertThat(e.exitCode()).isEqualTo(PopulateExitCode.PERMANENT))
          .hasMessageContaining("TLS with 127.0.0.1:" + https.getAddress().getPort() + " failed")
          .hasMessageContaining("certification path");
    } finally {
      https.stop(0);
    }
  }
}
