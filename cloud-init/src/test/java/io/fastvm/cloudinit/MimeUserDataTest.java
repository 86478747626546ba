package io.fastvm.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class MimeUserDataTest {

  @Test
  void partsHaveTheirTypeContentAndFirstLine() throws Exception {
    String script = "#!/bin/sh\necho hi";
    String config = "#cloud-config\nruncmd: [ls]";
    String mime =
        "Content-Type: multipart/mixed; boundary=\"==b==\"\nMIME-Version: 1.0\n\npreamble\n"
            + "--==b==\nContent-Type: text/x-shellscript; charset=\"utf-8\"\n\n"
            + script
            + "\n--==b==  \ncontent-type: TEXT/CLOUD-CONFIG\n"
            + "Content-Transfer-Encoding: base64\n\n"
            + Base64.getMimeEncoder().encodeToString(config.getBytes(StandardCharsets.UTF_8))
            + "\n--==b==--\nepilogue\n";
    List<MimeUserData.Part> parts = MimeUserData.parts(mime);
    assertThat(parts).hasSize(2);
    assertThat(parts.get(0))
        .isEqualTo(
            new MimeUserData.Part(
                "text/x-shellscript",
                script,
                SeedValidatorTest.lineOf(mime, "echo hi") - 1,
                false));
    assertThat(parts.get(0).kind()).isEqualTo(UserDataKind.SCRIPT);
    assertThat(parts.get(1).contentType()).isEqualTo("text/cloud-config");
    assertThat(parts.get(1).content()).isEqualTo(config);
    assertThat(parts.get(1).encoded()).isTrue();
    assertThat(parts.get(1).kind()).isEqualTo(UserDataKind.CLOUD_CONFIG);
  }

  @Test
  void nestedQuotedPrintableAndGzipPartsAreUnpacked() throws Exception {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write("#cloud-config\npackages: [htop]\n".getBytes(StandardCharsets.UTF_8));
    }
    String mime =
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n"
            + "--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
            + "--inner\r\nContent-Type: text/x-shellscript\r\n"
            + "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            + "#!/bin/sh\r\necho caf=C3=A9 a=\r\nb\r\n"
            + "--inner--\r\n"
            + "--outer\r\nContent-Type: application/x-gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + Base64.getEncoder().encodeToString(gz.toByteArray())
            + "\r\n--outer--\r\n";
    List<MimeUserData.Part> parts = MimeUserData.parts(mime);
    assertThat(parts)
        .extracting(MimeUserData.Part::content)
        .containsExactly("#!/bin/sh\necho café ab", "#cloud-config\npackages: [htop]\n");
    // Unpacked gzip is typed by its content, as cloud-init does.
    assertThat(parts.get(1).kind()).isEqualTo(UserDataKind.CLOUD_CONFIG);
  }

  @Test
  void textPlainAndShellscriptPartsAreTypedByContentOthersByTheirType() {
    assertThat(new MimeUserData.Part("text/plain", "#cloud-config\na: 1", 1, false).kind())
        .isEqualTo(UserDataKind.CLOUD_CONFIG);
    assertThat(new MimeUserData.Part("text/x-shellscript", "#cloud-config\n", 1, false).kind())
        .isEqualTo(UserDataKind.CLOUD_CONFIG);
    assertThat(new MimeUserData.Part("text/plain", "hello", 1, false).kind())
        .isEqualTo(UserDataKind.TEXT);
    assertThat(new MimeUserData.Part("text/cloud-config", "runcmd: [ls]", 1, false).kind())
        .isEqualTo(UserDataKind.CLOUD_CONFIG);
    assertThat(new MimeUserData.Part("text/x-shellscript-per-boot", "#!/bin/sh", 1, false).kind())
        .isEqualTo(UserDataKind.SCRIPT);
    assertThat(new MimeUserData.Part("text/cloud-boothook", "#!/bin/sh", 1, false).kind())
        .isEqualTo(UserDataKind.BOOTHOOK);
    assertThat(new MimeUserData.Part("image/png", "x", 1, false).kind()).isNull();
  }

  @Test
  void mimeThatYieldsNoPartsIsAnError() {
    assertThatThrownBy(
            () -> MimeUserData.parts("MIME-Version: 1.0\nContent-Type: multipart/mixed\n\nx\n"))
        .hasMessageContaining("no boundary parameter");
    assertThatThrownBy(
            () ->
                MimeUserData.parts(
                    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\nx\n"))
        .hasMessageContaining("never occurs");
    assertThatThrownBy(
            () ->
                MimeUserData.parts(
                    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
                        + "Content-Transfer-Encoding: base64\n\n!!!\n--b--\n"))
        .isInstanceOfSatisfying(
            MimeUserData.FormatError.class,
            e -> {
              assertThat(e.line).isEqualTo(7);
              assertThat(e).hasMessageContaining("not base64");
            });
  }
}
