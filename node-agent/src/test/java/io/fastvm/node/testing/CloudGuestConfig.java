package io.fastvm.node.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.commons.codec.digest.Crypt;

/**
 * The CloudInitConfig the {@link CloudGuest} tests apply (a hostname, a sudo user with an SSH key
 * and a password from a Secret, a static address with gateway and nameserver), and what the guest
 * must report (its FASTVM-GUEST lines) once cloud-init has made it so. Shared by the launcher's
 * guest test ({@code fastvm run}) and the operator's contract test (the cluster path).
 *
 * @param hostname the config's hostname
 */
public record CloudGuestConfig(String hostname) {
  public static final String CONFIG = "init";
  public static final String PASSWORD_SECRET = "alice-password";
  public static final String USER = "alice";
  public static final String PASSWORD = "correct horse battery staple";

  /** A public key made once with ssh-keygen -t ed25519 (the private key was thrown away). */
  public static final String SSH_KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII+zM0nvzy/OUcQMCzzPrq2s/Lvj9CCF4HJZssMrKB1L"
          + " fastvm-cloud-init-test";

  /** On QEMU's user network (nat): 10.0.2.2 is its gateway, 10.0.2.3 its DNS server. */
  public static final String ADDRESS = "10.0.2.50/24";

  public static final String GATEWAY = "10.0.2.2";
  public static final String NAMESERVER = "10.0.2.3";

  /** The password Secret and the CloudInitConfig {@link #CONFIG} in {@code namespace}, as YAML. */
  public String yaml(String namespace) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s, namespace: %s}
        stringData: {password: %s}
        ---
        apiVersion: fastvm.io/v1alpha1
        kind: CloudInitConfig
        metadata: {name: %s, namespace: %s}
        spec:
          hostname: %s
          users:
            - name: %s
              sudo: true
              passwordSecretRef: {name: %s}
              sshAuthorizedKeys: ["%s"]
          network:
            mode: static
            address: %s
            gateway: %s
            nameservers: [%s]
        """
        .formatted(
            PASSWORD_SECRET,
            namespace,
            PASSWORD,
            CONFIG,
            namespace,
            hostname,
            USER,
            PASSWORD_SECRET,
            SSH_KEY,
            ADDRESS,
            GATEWAY,
            NAMESERVER);
  }

  /**
   * Fails, quoting the report, unless the guest became what the config says, its NIC with {@code
   * mac}, and cloud-init found the seed on {@code seedDevice} (a regex, e.g. {@code /dev/vd[b-z]}).
   */
  public void assertReported(List<String> report, String mac, String seedDevice) {
    assertThat(report)
        .as("what the guest reported")
        .contains(
            "hostname=" + hostname,
            "user-sudo name=" + USER + " rule=(ALL) NOPASSWD: ALL",
            "user-key name=" + USER + " key=" + SSH_KEY,
            "nic name=eth0 mac=" + mac,
            "ipv4 dev=eth0 addr=" + ADDRESS,
            "nameserver=" + NAMESERVER)
        .anyMatch(
            l -> l.matches("cloud-init datasource=DataSourceNoCloud \\[seed=" + seedDevice + "].*"))
        .anyMatch(l -> l.matches("user name=alice id=uid=\\d+\\(alice\\) gid=\\d+\\(alice\\).*"))
        .anyMatch(l -> l.startsWith("route4 default via " + GATEWAY + " dev eth0"))
        .noneMatch(l -> l.startsWith("cloud-init error="));
    assertPassword(report);
  }

  /** alice's password hash in /etc/shadow is a SHA-512 crypt of the password. */
  private static void assertPassword(List<String> report) {
    String prefix = "user-shadow name=" + USER + " hash=";
    String hash =
        report.stream()
            .filter(l -> l.startsWith(prefix))
            .map(l -> l.substring(prefix.length()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no shadow entry of " + USER + " in " + report));
    assertThat(hash).startsWith("$6$").doesNotContain(PASSWORD);
    assertThat(Crypt.crypt(PASSWORD, hash))
        .as("crypt of the password with its salt")
        .isEqualTo(hash);
    assertThat(Crypt.crypt(PASSWORD + "x", hash)).isNotEqualTo(hash);
  }

  /** How long the boot took, for whoever sets the budget (in the test's output file). */
  public static void logBootTime(String what, TestBudget budget, List<String> report) {
    System.out.println(
        what
            + ": reported after "
            + budget.spent().toSeconds()
            + " s of the budget, guest "
            + report.stream().filter(l -> l.startsWith("uptime=")).findFirst().orElse("uptime=?")
            + " s");
  }
}
