package io.fastvm.testcluster;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Kubernetes control plane on loopback (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, built from source by {@code dev/kube/build}), started by {@code dev/kube/up} and
 * stopped by {@code dev/kube/down}. It has the static-token users {@code admin} (cluster admin),
 * {@code editor}, {@code viewer} and {@code nobody}; the last three have no rights until a test
 * binds roles to them.
 */
public final class ControlPlane implements AutoCloseable {
  /** The test users of dev/kube/up's token file. */
  public static final List<String> USERS = List.of("admin", "editor", "viewer", "nobody");

  private final Path repo;
  private final Path state;
  private final String server;
  private final Path caFile;
  private final Path binDir;
  private final Map<String, String> tokens;
  private final KubernetesClient admin;
  private volatile boolean closed;
  private String chartNamespace;

  private ControlPlane(Path repo, Path state, Map<String, String> env, Map<String, String> tokens) {
    this.repo = repo;
    this.state = state;
    this.server = env.get("KUBE_SERVER");
    this.caFile = Path.of(env.get("KUBE_CA_FILE"));
    this.binDir = Path.of(env.get("KUBE_BIN"));
    this.tokens = Map.copyOf(tokens);
    this.admin = client("admin");
  }

  /**
   * Builds the binaries if needed and starts a control plane with its state in a new folder under
   * {@code parent}, with more {@code options} of dev/kube/up (e.g. {@code --no-scheduler}). Stopped
   * by {@link #close()}, or by dev/kube/down on its own once this JVM exits (also after a crash).
   */
  public static ControlPlane start(Path repo, Path parent, List<String> options)
      throws IOException, InterruptedException {
    Files.createDirectories(parent);
    Path state = Files.createTempDirectory(parent, "kube-");
    Path log = Files.createTempFile(parent, "kube-up-", ".log");
    List<String> command = new ArrayList<>();
    command.add(repo.resolve("dev/kube/up").toString());
    command.addAll(options);
    command.addAll(
        List.of("--watch-pid", String.valueOf(ProcessHandle.current().pid()), state.toString()));
    Process up =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    // A cold build of the binaries takes many minutes; dev/test builds them first.
    if (!up.waitFor(60, TimeUnit.MINUTES)) {
      up.destroyForcibly();
      throw new IOException("dev/kube/up did not finish within 60 min; its output:\n" + read(log));
    }
    if (up.exitValue() != 0) {
      throw new IOException(
          "dev/kube/up failed (exit " + up.exitValue() + "); its output:\n" + read(log));
    }
    Files.deleteIfExists(log);
    return new ControlPlane(
        repo,
        state,
        keyValues(state.resolve("cluster.env")),
        keyValues(state.resolve("tokens.env")));
  }

  /**
   * Builds the binaries unless they are there (dev/kube/build: seconds when cached). Without Go
   * they cannot be built: the calling test skips, saying so.
   */
  static void build(Path repo) throws IOException, InterruptedException {
    Process build =
        new ProcessBuilder(repo.resolve("dev/kube/build").toString())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!build.waitFor(60, TimeUnit.MINUTES) || build.exitValue() != 0) {
      build.destroyForcibly();
      org.junit.jupiter.api.Assumptions.assumeFalse(
          out.contains("go not found"),
          "a real Kubernetes control plane needs Go to build it from source (dev/kube/build): "
              + out.strip());
      throw new IOException("dev/kube/build failed:\n" + out);
    }
  }

  private static String read(Path log) throws IOException {
    String text = Files.readString(log, StandardCharsets.UTF_8);
    return text.length() > 20_000 ? text.substring(text.length() - 20_000) : text;
  }

  /** {@code KEY=VALUE} lines (values as bash's printf %q writes plain paths and URLs). */
  private static Map<String, String> keyValues(Path file) throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        values.put(line.substring(0, eq), line.substring(eq + 1).replace("\\", ""));
      }
    }
    return values;
  }

  /** The API server's URL (https on 127.0.0.1). */
  public String server() {
    return server;
  }

  /** The cluster CA's certificate (PEM), which signed the API server's serving certificate. */
  public Path caFile() {
    return caFile;
  }

  /** The admin kubeconfig (one context per test user; the current one is admin). */
  public Path kubeconfig() {
    return state.resolve("kubeconfig");
  }

  /** The folder with the control plane's binaries (kubectl among them). */
  public Path binDir() {
    return binDir;
  }

  /** The bearer token of a test user ({@link #USERS}). */
  public String token(String user) {
    String token = tokens.get(user);
    if (token == null) {
      throw new IllegalArgumentException("no test user " + user + "; there are " + USERS);
    }
    return token;
  }

  /** A client of the cluster admin (system:masters); shared, closed with the control plane. */
  public KubernetesClient admin() {
    return admin;
  }

  /** A new client authenticated as a test user; the caller closes it. */
  public KubernetesClient client(String user) {
    return clientWithToken(token(user));
  }

  /** A new client with any bearer token (a ServiceAccount's, say); the caller closes it. */
  public KubernetesClient clientWithToken(String token) {
    return new KubernetesClientBuilder().withConfig(config(token)).build();
  }

  /** A client configuration for {@code token}, trusting the cluster CA. */
  public Config config(String token) {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(server)
        .withCaCertFile(caFile.toString())
        .withOauthToken(token)
        .withRequestTimeout((int) Duration.ofSeconds(30).toMillis())
        .build();
  }

  /**
   * Installs the repository's Helm chart ({@code helm/fastvm}) with Helm's own code as release
   * {@code fastvm} in {@code namespace} (created), without waiting for its pods: there is no
   * kubelet. Once per control plane; later calls find it installed.
   */
  public synchronized void installChart(String namespace) {
    if (chartNamespace != null) {
      if (!chartNamespace.equals(namespace)) {
        throw new IllegalStateException("the chart is installed in " + chartNamespace);
      }
      return;
    }
    Release release =
        new Helm(repo.resolve("helm/fastvm"))
            .install()
            .withName("fastvm")
            .withNamespace(namespace)
            .createNamespace()
            .withKubeConfig(kubeconfig())
            .call();
    if (!"deployed".equals(release.getStatus())) {
      throw new IllegalStateException("helm install: " + release.getStatus() + " " + release);
    }
    chartNamespace = namespace;
  }

  /** A token of a ServiceAccount (TokenRequest, valid for an hour). */
  public String serviceAccountToken(String namespace, String serviceAccount) {
    return admin
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(serviceAccount)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }

  /** Runs the cluster's own kubectl as admin; its output, or an exception with it. */
  public String kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binDir.resolve("kubectl").toString());
    command.add("--kubeconfig=" + kubeconfig());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("kubectl " + String.join(" ", args) + " failed:\n" + out);
    }
    return out;
  }

  /**
   * CPU time (user + system) a component ({@code etcd}, {@code kube-apiserver}, ...) has used so
   * far, from /proc; for benchmarks.
   */
  public double cpuSeconds(String component) throws IOException {
    String pid = Files.readString(state.resolve("pids").resolve(component + ".pid")).strip();
    String stat = Files.readString(Path.of("/proc", pid, "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
  }

  /** Stops every process of the control plane and removes its state. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    admin.close();
    Process down =
        new ProcessBuilder(repo.resolve("dev/kube/down").toString(), state.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(down.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!down.waitFor(2, TimeUnit.MINUTES) || down.exitValue() != 0) {
      down.destroyForcibly();
      throw new IOException("dev/kube/down " + state + " failed:\n" + out);
    }
  }
}
