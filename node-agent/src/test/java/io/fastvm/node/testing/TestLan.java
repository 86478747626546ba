package io.fastvm.node.testing;

import io.fastvm.contract.PodTaps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A LAN that VM pods join through a bridge network, as the bridge CNI makes one: a namespace
 * holding the bridge {@code lan0} (the node's bridge), and per {@link #pod} a namespace playing a
 * VM pod whose Multus interface ({@link PodTaps#podInterface} of NIC 0) is one end of a veth pair,
 * the other end a port of {@code lan0}. Nothing outside its namespaces is touched; closing deletes
 * them all, and their links with them.
 */
public final class TestLan implements AutoCloseable {
  private final String suffix;
  private final String name;
  private final List<String> pods = new ArrayList<>();

  private TestLan(String suffix) {
    this.suffix = suffix;
    this.name = "fvl-" + suffix;
  }

  public static TestLan create() throws IOException {
    TestLan lan = new TestLan(Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20)));
    try {
      Commands.run(null, List.of("ip", "netns", "add", lan.name));
      lan.ip("link", "add", "lan0", "type", "bridge");
      lan.ip("link", "set", "lan0", "up");
      return lan;
    } catch (IOException | RuntimeException e) {
      lan.close();
      throw e;
    }
  }

  /** A new pod namespace on the LAN, with its pod interface up and without an address. */
  public String pod() throws IOException {
    int n = pods.size();
    String pod = "fvp-" + suffix + "-" + n;
    String port = "fvl" + n + "p" + suffix;
    Commands.run(null, List.of("ip", "netns", "add", pod));
    pods.add(pod);
    ip("link", "add", port, "type", "veth", "peer", "name", "tmp" + n, "netns", pod);
    ip("link", "set", port, "master", "lan0", "up");
    String inside = PodTaps.podInterface(0);
    Commands.run(null, List.of("ip", "-n", pod, "link", "set", "tmp" + n, "name", inside));
    Commands.run(null, List.of("ip", "-n", pod, "link", "set", inside, "up"));
    Commands.run(null, List.of("ip", "-n", pod, "link", "set", "lo", "up"));
    return pod;
  }

  /** {@code argv} run in the LAN's namespace (a host on the LAN). */
  public List<String> command(List<String> argv) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name));
    command.addAll(argv);
    return command;
  }

  /** The path of a pod's namespace, as the node agent gets it from the pod's process. */
  public static Path netns(String pod) {
    return Path.of("/run/netns", pod);
  }

  /** Gives the LAN's bridge {@code cidr}: a host on the LAN the guests can reach. */
  public void address(String cidr) throws IOException {
    ip("addr", "add", cidr, "dev", "lan0");
  }

  /**
   * What runs a command as a VM pod runs its launcher: in the pod's namespace, not privileged and
   * without any capability, as root with the supplementary {@code groups} (a pod's group for the
   * taps the agent makes for it).
   */
  public static List<String> asVmPod(String pod, long... groups) {
    List<String> prefix = new ArrayList<>(List.of("ip", "netns", "exec", pod, "setpriv"));
    if (groups.length > 0) {
      prefix.add(
          "--groups="
              + String.join(
                  ",", java.util.Arrays.stream(groups).mapToObj(Long::toString).toList()));
    }
    prefix.addAll(List.of("--inh-caps=-all", "--bounding-set=-all", "--"));
    return prefix;
  }

  /** {@code CapEff} of process {@code pid}: "0000000000000000" for none. */
  public static String effectiveCapabilities(long pid) throws IOException {
    return java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(l -> l.startsWith("CapEff:"))
        .map(l -> l.substring("CapEff:".length()).strip())
        .findFirst()
        .orElseThrow(() -> new IOException("no CapEff for process " + pid));
  }

  /** The owner and group of tap {@code tap} in {@code pod}, as "uid:gid" (from its sysfs). */
  public static String tapOwner(String pod, String tap) throws IOException {
    String sys = "/sys/class/net/" + tap + "/";
    return Commands.output(
            null, List.of("ip", "netns", "exec", pod, "cat", sys + "owner", sys + "group"))
        .strip()
        .replace('\n', ':');
  }

  /** {@code bridge fdb show br lan0}: the MACs the LAN's bridge has learned. */
  public String forwardingDatabase() throws IOException {
    return Commands.output(
        null, List.of("ip", "netns", "exec", name, "bridge", "fdb", "show", "br", "lan0"));
  }

  private void ip(String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
    argv.addAll(List.of(args));
    Commands.run(null, argv);
  }

  /** Deletes every pod namespace and the LAN's (their processes must have ended). */
  @Override
  public void close() throws IOException {
    IOException first = null;
    List<String> all = new ArrayList<>(pods);
    all.add(name);
    for (String ns : all) {
      try {
        Commands.run(null, List.of("ip", "netns", "del", ns));
      } catch (IOException e) {
        if (first == null && !e.getMessage().contains("No such file")) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
