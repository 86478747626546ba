package io.fastvm.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Public key lines, from real keys that ssh-keygen makes for the test. */
class SshPublicKeysTest {

  @TempDir static Path keys;

  @BeforeAll
  static void keygen() throws Exception {
    Prerequisites.sshKeygen();
    keygen("-t", "ed25519", "-C", "alice@laptop", "-f", "ed25519");
    keygen("-t", "rsa", "-b", "3072", "-f", "rsa");
    keygen("-t", "ecdsa", "-b", "256", "-f", "ecdsa256");
    keygen("-t", "ecdsa", "-b", "384", "-f", "ecdsa384");
    keygen("-t", "ecdsa", "-b", "521", "-f", "ecdsa521");
    keygen("-t", "ed25519", "-f", "ca");
    // A certificate of the ed25519 key, signed by the CA key: ed25519-cert.pub
    keygen("-s", "ca", "-I", "alice", "ed25519.pub");
  }

  private static String keygen(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Prerequisites.SSH_KEYGEN.toString(), "-q"));
    if (args[0].equals("-t")) {
      command.addAll(List.of("-N", ""));
    }
    command.addAll(Arrays.asList(args));
    Process p =
        new ProcessBuilder(command).directory(keys.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("ssh-keygen %s: %s", command, out).isZero();
    return out;
  }

  private static String pub(String name) throws IOException {
    return Files.readString(keys.resolve(name + ".pub")).strip();
  }

  private static Optional<String> problem(String line) {
    return SshPublicKeys.problem(line);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ed25519", "rsa", "ecdsa256", "ecdsa384", "ecdsa521"})
  void realPublicKeysPass(String name) throws IOException {
    assertThat(problem(pub(name))).isEmpty();
    // Without a comment, and with a comment of several words.
    String[] fields = pub(name).split(" ");
    assertThat(problem(fields[0] + " " + fields[1])).isEmpty();
    assertThat(problem(fields[0] + " " + fields[1] + " alice at her laptop")).isEmpty();
  }

  @Test
  void securityKeyTypesPassWhenWhole() throws IOException {
    // ssh-keygen needs a FIDO token for sk- keys: build their blobs (PROTOCOL.u2f) from real keys.
    byte[] ed = fields(pub("ed25519")).get(1);
    String sk = "sk-ssh-ed25519@openssh.com";
    assertThat(problem(line(sk, sk.getBytes(), ed, "ssh:".getBytes()))).isEmpty();
    assertThat(problem(line(sk, sk.getBytes(), ed)))
        .hasValueSatisfying(m -> assertThat(m).contains("truncated"));

    List<byte[]> ec = fields(pub("ecdsa256"));
    String skEc = "sk-ecdsa-sha2-nistp256@openssh.com";
    assertThat(problem(line(skEc, skEc.getBytes(), ec.get(1), ec.get(2), "ssh:".getBytes())))
        .isEmpty();
  }

  @Test
  void aPrivateKeyIsRefusedAndCalledLeaked() throws IOException {
    String privateKey = Files.readString(keys.resolve("ed25519"));
    assertThat(privateKey).contains("BEGIN OPENSSH PRIVATE KEY");
    assertThat(problem(privateKey))
        .hasValueSatisfying(
            m -> assertThat(m).contains("is a private key").contains("ssh-keygen -y"));
  }

  @Test
  void otherPublicKeyFormatsSayHowToConvert() throws Exception {
    String rfc4716 = keygen("-e", "-f", "ed25519.pub");
    assertThat(problem(rfc4716))
        .hasValueSatisfying(m -> assertThat(m).contains("RFC 4716").contains("ssh-keygen -i"));
    String pem = keygen("-e", "-m", "PKCS8", "-f", "rsa.pub");
    assertThat(problem(pem))
        .hasValueSatisfying(m -> assertThat(m).contains("PEM").contains("-m PKCS8"));
  }

  @Test
  void aCertificateIsNotAPublicKey() throws IOException {
    String cert = Files.readString(keys.resolve("ed25519-cert.pub")).strip();
    assertThat(problem(cert))
        .hasValueSatisfying(
            m -> assertThat(m).contains("SSH certificate").contains("ssh-ed25519-cert-v01"));
  }

  @Test
  void authorizedKeysOptionsAreRefused() throws IOException {
    for (String options : List.of("from=\"10.0.0.0/8\"", "no-pty", "restrict,command=\"uptime\"")) {
      assertThat(problem(options + " " + pub("ed25519")))
          .as(options)
          .hasValueSatisfying(m -> assertThat(m).contains("authorized_keys options"));
    }
  }

  @Test
  void unknownAndRetiredTypesNameTheAllowedOnes() throws IOException {
    String data = pub("ed25519").split(" ")[1];
    assertThat(problem("ssh-ed448 " + data))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .contains("unknown key type \"ssh-ed448\"")
                    .contains(String.join(", ", SshPublicKeys.TYPES)));
    assertThat(problem("ssh-dss " + data))
        .hasValueSatisfying(m -> assertThat(m).contains("DSA key"));
  }

  @Test
  void theTypeOnTheLineMustBeTheTypeInTheKeyData() throws IOException {
    String data = pub("ed25519").split(" ")[1];
    assertThat(problem("ssh-rsa " + data + " alice@laptop"))
        .hasValue("the key data says ssh-ed25519 but the line says ssh-rsa");
    String p256 = pub("ecdsa256").split(" ")[1];
    assertThat(problem("ecdsa-sha2-nistp384 " + p256))
        .hasValue("the key data says ecdsa-sha2-nistp256 but the line says ecdsa-sha2-nistp384");
  }

  @Test
  void brokenKeyDataIsFound() throws IOException {
    String[] ed = pub("ed25519").split(" ");
    assertThat(problem("ssh-ed25519"))
        .hasValueSatisfying(m -> assertThat(m).contains("no key data"));
    assertThat(problem("ssh-ed25519 AAAA!!!!"))
        .hasValueSatisfying(m -> assertThat(m).contains("not base64"));
    byte[] blob = Base64.getDecoder().decode(ed[1]);
    String truncated = Base64.getEncoder().encodeToString(Arrays.copyOf(blob, blob.length - 5));
    assertThat(problem("ssh-ed25519 " + truncated))
        .hasValueSatisfying(m -> assertThat(m).contains("truncated"));
    byte[] longer = Arrays.copyOf(blob, blob.length + 3);
    assertThat(problem("ssh-ed25519 " + Base64.getEncoder().encodeToString(longer)))
        .hasValueSatisfying(m -> assertThat(m).contains("3 bytes after"));
    // An Ed25519 key of 31 bytes: the length prefix is honest, the key is not.
    byte[] shortKey = Arrays.copyOf(fields(pub("ed25519")).get(1), 31);
    assertThat(problem(line("ssh-ed25519", "ssh-ed25519".getBytes(), shortKey)))
        .hasValue("Ed25519 public key is 31 bytes, expected 32");
  }

  @Test
  void rsaUnder1024BitsIsRefused() throws Exception {
    // ssh-keygen refuses to make one: a 768-bit key from the JDK, in the SSH wire format.
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(768);
    RSAPublicKey key = (RSAPublicKey) generator.generateKeyPair().getPublic();
    String line =
        line(
            "ssh-rsa",
            "ssh-rsa".getBytes(),
            key.getPublicExponent().toByteArray(),
            key.getModulus().toByteArray());
    assertThat(problem(line))
        .hasValueSatisfying(m -> assertThat(m).contains("768 bits").contains("under 1024"));
    // The same layout with a real modulus passes, so the refusal is about the size.
    List<byte[]> real = fields(pub("rsa"));
    assertThat(new BigInteger(1, real.get(2)).bitLength()).isEqualTo(3072);
  }

  @Test
  void emptyAndMultiLineEntriesAreRefused() throws IOException {
    assertThat(problem("  ")).hasValueSatisfying(m -> assertThat(m).contains("is empty"));
    assertThat(problem(pub("ed25519") + "\n" + pub("rsa")))
        .hasValueSatisfying(m -> assertThat(m).contains("one key per list item"));
  }

  /** The length-prefixed strings of a public key line's blob. */
  static List<byte[]> fields(String line) {
    ByteBuffer blob = ByteBuffer.wrap(Base64.getDecoder().decode(line.split(" ")[1]));
    List<byte[]> out = new ArrayList<>();
    while (blob.hasRemaining()) {
      byte[] field = new byte[blob.getInt()];
      blob.get(field);
      out.add(field);
    }
    return out;
  }

  /** A key line of {@code type} whose blob is the given strings, length-prefixed. */
  static String line(String type, byte[]... strings) {
    ByteArrayOutputStream blob = new ByteArrayOutputStream();
    for (byte[] s : strings) {
      blob.writeBytes(ByteBuffer.allocate(4).putInt(s.length).array());
      blob.writeBytes(s);
    }
    return type + " " + Base64.getEncoder().encodeToString(blob.toByteArray()) + " test";
  }
}
