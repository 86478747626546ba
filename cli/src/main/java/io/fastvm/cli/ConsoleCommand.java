package io.fastvm.cli;

import io.fabric8.kubernetes.client.Config;
import java.io.File;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fastvm console VM}: mints a console link with the current kubeconfig's credentials and
 * prints it (also {@code kubectl fastvm console}). The link goes to stdout alone, so scripts can
 * take it; everything else goes to stderr.
 */
@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a short-lived link to a VM's console in the browser (and opens it).",
      "Uses the bearer token of your kubeconfig (or --token); the console proxy checks it and"
          + " your right to get virtualmachines/console.",
      "The proxy's URL comes from --proxy-url or $" + ConsoleLinks.URL_ENV + "."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the link was printed",
      "1:the proxy refused (not allowed, VM not running, ...) or cannot be reached",
      "2:usage error or no usable credentials"
    })
public final class ConsoleCommand implements Callable<Integer> {

  /** The consoles a link can be for. */
  public enum Protocol {
    vnc,
    spice,
    serial
  }

  @Parameters(index = "0", paramLabel = "VM", description = "the VirtualMachine")
  String vm;

  @Option(
      names = {"-n", "--namespace"},
      description = "its namespace (default: the kubeconfig context's)")
  String namespace;

  @Option(
      names = "--protocol",
      defaultValue = "vnc",
      description = "vnc, spice or serial (default: ${DEFAULT-VALUE})")
  Protocol protocol;

  @Option(names = "--view-only", description = "screen only: no keyboard, mouse or clipboard")
  boolean viewOnly;

  @Option(
      names = "--proxy-url",
      paramLabel = "URL",
      description = "the console proxy's external URL (default: $" + ConsoleLinks.URL_ENV + ")")
  String proxyUrl;

  @Option(
      names = "--proxy-ca-file",
      paramLabel = "FILE",
      description = "PEM CA certificate(s) to trust for the proxy instead of the system's")
  Path proxyCaFile;

  @Option(names = "--no-browser", description = "only print the link")
  boolean noBrowser;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "a Kubernetes bearer token instead of the kubeconfig's")
  String token;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
  File kubeconfig;

  @Option(names = "--context", description = "kubeconfig context (default: the current one)")
  String context;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Where the environment comes from (tests replace it). */
  Map<String, String> env = System.getenv();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      URI proxy = ConsoleLinks.proxyUrl(proxyUrl, env);
      Config config = kubeconfig();
      String bearer = token != null ? token.trim() : ConsoleLinks.bearerToken(config);
      String ns =
          namespace != null
              ? namespace
              : (config != null && config.getNamespace() != null
                  ? config.getNamespace()
                  : "default");
      ConsoleLinks.Link link =
          ConsoleLinks.mint(
              ConsoleLinks.httpClient(proxyCaFile),
              proxy,
              bearer,
              ns,
              vm,
              protocol.name(),
              viewOnly);
      out.println(link.url());
      out.flush();
      err.println(
          "fastvm: "
              + protocol.name().toUpperCase(Locale.ROOT)
              + " console of "
              + ns
              + "/"
              + vm
              + (viewOnly ? " (view only)" : "")
              + (link.user() == null ? "" : " for " + link.user())
              + ": open the link within a minute; it works once"
              + (link.expiresAt() == null ? "" : " (until " + link.expiresAt() + ")"));
      if (!noBrowser) {
        openBrowser(link.url(), err);
      }
      err.flush();
      return 0;
    } catch (ConsoleLinks.Failure e) {
      err.println("fastvm: " + e.getMessage());
      err.flush();
      return e.status() == 0 ? 2 : 1;
    }
  }

  private Config kubeconfig() throws ConsoleLinks.Failure {
    try {
      if (kubeconfig != null) {
        if (!kubeconfig.isFile()) {
          throw new ConsoleLinks.Failure("no kubeconfig at " + kubeconfig);
        }
        return Config.fromKubeconfig(context, kubeconfig);
      }
      return Config.autoConfigure(context);
    } catch (RuntimeException e) {
      if (token != null) {
        return null;
      }
      throw new ConsoleLinks.Failure("cannot read the kubeconfig: " + e.getMessage());
    }
  }

  /** {@code xdg-open} (or macOS {@code open}) where there is a display; never waits for it. */
  private void openBrowser(String url, PrintWriter err) {
    boolean mac = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac");
    boolean display = mac || !blank(env.get("DISPLAY")) || !blank(env.get("WAYLAND_DISPLAY"));
    String opener = mac ? "open" : "xdg-open";
    if (!display || !onPath(opener)) {
      return;
    }
    try {
      new ProcessBuilder(opener, url)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      err.println("fastvm: opened in your browser");
    } catch (java.io.IOException e) {
      err.println("fastvm: could not start " + opener + ": " + e.getMessage());
    }
  }

  private boolean onPath(String command) {
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
