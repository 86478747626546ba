package io.fastvm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.console.testing.ProxyHarness;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fastvm console} against the real console proxy, whose Kubernetes is the fabric8 mock API
 * server (TokenReview and SubjectAccessReview answered from the test's users and grants; no real
 * API server runs here): the link is minted with the kubeconfig's token and printed, and the
 * proxy's refusals read as what to do.
 */
class ConsoleCommandTest {
  static final String NS = ProxyHarness.NAMESPACE;
  @TempDir static Path tmp;
  static ProxyHarness harness;
  static Path proxyCa;

  @BeforeAll
  static void start() throws Exception {
    harness = ProxyHarness.start(tmp.resolve("proxy"));
    harness.cluster.user("tok-alice", "alice");
    harness.cluster.user("tok-bob", "bob");
    harness.cluster.grant("alice", NS, "vm1");
    harness.cluster.grant("alice", NS, "stopped");
    harness.cluster.runningVm(NS, "vm1", "127.0.0.1", false);
    harness.cluster.runningVm(NS, "stopped", "127.0.0.1", false);
    harness.cluster.stopVm(NS, "stopped");
    proxyCa = Files.writeString(tmp.resolve("proxy-ca.crt"), harness.pki.ca.certificatePem());
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  record Run(int exit, String out, String err) {}

  static Path kubeconfig(String name, String user) throws Exception {
    return Files.writeString(
        tmp.resolve(name),
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: lab
          cluster: {server: "https://127.0.0.1:6443"}
        contexts:
        - name: lab
          context: {cluster: lab, user: u, namespace: %s}
        current-context: lab
        users:
        - name: u
          user: %s
        """
            .formatted(NS, user));
  }

  static Run run(Map<String, String> env, String... args) {
    ConsoleCommand command = new ConsoleCommand();
    command.env = env;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static Run console(Path kubeconfig, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--kubeconfig=" + kubeconfig,
            "--proxy-url=" + harness.origin(),
            "--proxy-ca-file=" + proxyCa,
            "--no-browser"));
    return run(Map.of(), all.toArray(String[]::new));
  }

  @Test
  void mintsALinkWithTheKubeconfigsTokenAndPrintsIt() throws Exception {
    Path config = kubeconfig("alice", "{token: tok-alice}");
    Run run = console(config, "vm1", "--protocol", "serial");
    assertThat(run.exit()).as(run.err()).isZero();
    String link = run.out().strip();
    assertThat(link).startsWith(harness.origin() + "/console/" + NS + "/vm1/serial?token=");
    assertThat(run.err()).contains("SERIAL console of lab/vm1 for alice");
    // The link is a real one: opening it starts a session.
    assertThat(harness.redeem(link).status()).isEqualTo(303);

    // The namespace from -n, the URL from the environment, view-only.
    Map<String, String> env = new HashMap<>();
    env.put(ConsoleLinks.URL_ENV, harness.origin());
    Run viaEnv =
        run(
            env,
            "vm1",
            "-n",
            NS,
            "--view-only",
            "--kubeconfig=" + config,
            "--proxy-ca-file=" + proxyCa,
            "--no-browser");
    assertThat(viaEnv.exit()).as(viaEnv.err()).isZero();
    assertThat(viaEnv.out()).contains("/console/" + NS + "/vm1/vnc?token=");
    assertThat(viaEnv.err()).contains("(view only)");
  }

  @Test
  void refusalsSayWhatIsWrong() throws Exception {
    Run unknown = console(kubeconfig("stranger", "{token: not-a-token}"), "vm1");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.out()).isEmpty();
    assertThat(unknown.err()).contains("did not accept your Kubernetes credentials (401");

    Run forbidden = console(kubeconfig("bob", "{token: tok-bob}"), "vm1");
    assertThat(forbidden.exit()).isEqualTo(1);
    assertThat(forbidden.err())
        .contains("you may not open the console of lab/vm1 (403)")
        .contains("virtualmachines/console");

    Run stopped = console(kubeconfig("alice2", "{token: tok-alice}"), "stopped");
    assertThat(stopped.exit()).isEqualTo(1);
    assertThat(stopped.err()).contains("cannot be opened now (409)").contains("not running");

    Run spiceViewOnly =
        console(
            kubeconfig("alice3", "{token: tok-alice}"), "vm1", "--protocol=spice", "--view-only");
    assertThat(spiceViewOnly.exit()).isEqualTo(1);
    assertThat(spiceViewOnly.err()).contains("refused the request").contains("view-only");
  }

  @Test
  void aClientCertificateKubeconfigNeedsABearerToken() throws Exception {
    Path config = kubeconfig("cert", "{client-certificate-data: Y2VydA==, client-key-data: a2V5}");
    Run run = console(config, "vm1");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .contains("client certificate only")
        .contains("bearer token")
        .contains("kubectl create token");
    // ... which --token gives.
    Run withToken = console(config, "vm1", "--token", "tok-alice");
    assertThat(withToken.exit()).as(withToken.err()).isZero();
  }

  @Test
  void theProxyUrlIsRequiredAndNeverPlainHttpToAnotherHost() throws Exception {
    Path config = kubeconfig("alice4", "{token: tok-alice}");
    Run none = run(Map.of(), "vm1", "--kubeconfig=" + config, "--no-browser");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("--proxy-url").contains(ConsoleLinks.URL_ENV);

    Run plain =
        run(
            Map.of(),
            "vm1",
            "--kubeconfig=" + config,
            "--proxy-url=http://console.example.com",
            "--no-browser");
    assertThat(plain.exit()).isEqualTo(2);
    assertThat(plain.err()).contains("plain HTTP");
  }
}
