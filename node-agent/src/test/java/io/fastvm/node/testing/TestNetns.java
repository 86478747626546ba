package io.fastvm.node.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace that plays a pod: its {@code eth0} is one end of a veth pair whose other end
 * stays in this namespace, each with an address of a /24 of 10.231.0.0/16 picked at random, and a
 * default route to the outside end ({@link #gateway()}), as a pod's route to its node. The outside
 * end has a second address, {@link #peerAddress()}, for the test's peers: another machine of the
 * cluster, not the pod's gateway. Closing deletes the namespace, and with it both ends; nothing
 * else on the machine is touched.
 */
public final class TestNetns implements AutoCloseable {
  private final String name;
  private final String outside;
  private final int subnet;

  private TestNetns(String name, String outside, int subnet) {
    this.name = name;
    this.outside = outside;
    this.subnet = subnet;
  }

  /** Skips the test, saying why, where network namespaces cannot be made (not root, no ip). */
  public static void assumeAvailable() {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "skipped: network namespaces need root (ip netns add)");
  }

  public static TestNetns create() throws IOException {
    int id = ThreadLocalRandom.current().nextInt(1 << 20);
    String suffix = Integer.toHexString(id);
    int subnet = 1 + id % 250;
    TestNetns ns = new TestNetns("fvt-" + suffix, "fvh" + suffix, subnet);
    try {
      ip("netns", "add", ns.name);
      ip("link", "add", ns.outside, "type", "veth", "peer", "name", "fvp" + suffix);
      ip("link", "set", "fvp" + suffix, "netns", ns.name);
      ip("addr", "add", ns.gateway() + "/24", "dev", ns.outside);
      ip("addr", "add", ns.peerAddress() + "/24", "dev", ns.outside);
      ip("link", "set", ns.outside, "up");
      inside(ns, "link", "set", "fvp" + suffix, "name", "eth0");
      inside(ns, "addr", "add", ns.address() + "/24", "dev", "eth0");
      inside(ns, "link", "set", "eth0", "up");
      inside(ns, "link", "set", "lo", "up");
      inside(ns, "route", "add", "default", "via", ns.gateway());
      return ns;
    } catch (IOException | RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  public String name() {
    return name;
  }

  /** The "pod's" address, on its eth0. */
  public String address() {
    return "10.231." + subnet + ".2";
  }

  /** The outside end's first address: the pod's gateway. */
  public String gateway() {
    return "10.231." + subnet + ".1";
  }

  /** The outside end's second address, where a test's peers listen and connect from. */
  public String peerAddress() {
    return "10.231." + subnet + ".3";
  }

  /** {@code argv} run inside the namespace. */
  public List<String> command(List<String> argv) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name));
    command.addAll(argv);
    return command;
  }

  private static void inside(TestNetns ns, String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip", "-n", ns.name));
    argv.addAll(List.of(args));
    Commands.run(null, argv);
  }

  private static void ip(String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip"));
    argv.addAll(List.of(args));
    Commands.run(null, argv);
  }

  /** Deletes the namespace (its processes must have ended) and the outside end, if left. */
  @Override
  public void close() throws IOException {
    IOException first = null;
    try {
      ip("netns", "del", name);
    } catch (IOException e) {
      first = e;
    }
    try {
      ip("link", "del", outside);
    } catch (IOException e) {
      // Gone with the namespace's end, as veth pairs go.
    }
    if (first != null && !first.getMessage().contains("No such file")) {
      throw first;
    }
  }
}
