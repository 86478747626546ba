package io.fastvm.node.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fastvm.node.guestagent.GuestAgentClient;
import io.fastvm.node.guestagent.GuestAgentException;
import io.fastvm.node.guestagent.GuestFacts;
import io.fastvm.node.guestagent.GuestFactsReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Runs programs in a test guest through its guest agent ({@code guest-exec}). */
public final class GuestExec {
  static final Duration COMMAND = Duration.ofSeconds(30);

  private GuestExec() {}

  /** Runs {@code path} over {@code agent} and waits for it to exit 0. */
  public static void run(GuestAgentClient agent, TestBudget budget, String path, String... args)
      throws Exception {
    long pid = agent.execute("guest-exec", arguments(path, args), COMMAND).path("pid").asLong();
    while (!exited(agent, pid, path)) {
      budget.left(path + " in the guest");
      Thread.sleep(100);
    }
  }

  /**
   * Runs {@code path} as {@link #run(GuestAgentClient, TestBudget, String, String...)} does, with a
   * connection of its own for each command: the agent's port takes one client at a time, so the
   * node agent's rounds go on in between.
   */
  public static void run(Path socket, TestBudget budget, String path, String... args)
      throws Exception {
    long pid;
    try (GuestAgentClient agent = GuestAgentClient.connect(socket)) {
      pid = agent.execute("guest-exec", arguments(path, args), COMMAND).path("pid").asLong();
    }
    while (true) {
      try (GuestAgentClient agent = GuestAgentClient.connect(socket)) {
        if (exited(agent, pid, path)) {
          return;
        }
      }
      budget.left(path + " in the guest");
      Thread.sleep(200);
    }
  }

  /** Starts {@code path} over its own connection to {@code socket} and leaves it running. */
  public static void start(Path socket, String path, String... args) throws Exception {
    try (GuestAgentClient agent = GuestAgentClient.connect(socket)) {
      agent.execute("guest-exec", arguments(path, args), COMMAND);
    }
  }

  private static ObjectNode arguments(String path, String... args) {
    ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("path", path);
    List.of(args).forEach(arguments.putArray("arg")::add);
    return arguments.put("capture-output", true);
  }

  private static boolean exited(GuestAgentClient agent, long pid, String path) throws Exception {
    JsonNode status =
        agent.execute(
            "guest-exec-status", JsonNodeFactory.instance.objectNode().put("pid", pid), COMMAND);
    if (!status.path("exited").asBoolean()) {
      return false;
    }
    assertThat(status.path("exitcode").asInt()).as(path + " " + status).isZero();
    return true;
  }

  /**
   * The guest's python3 sends {@code bytes} (a multiple of 64 KiB) to {@code host:port} over one
   * TCP connection, in 64 KiB sendalls: a throughput measurement's sending side.
   */
  public static void sendTcp(Path socket, TestBudget budget, String host, int port, int bytes)
      throws Exception {
    run(
        socket,
        budget,
        "/usr/bin/python3",
        "-c",
        "import socket\n"
            + "s = socket.create_connection(('"
            + host
            + "', "
            + port
            + "))\n"
            + "chunk = b'x' * 65536\n"
            + "for _ in range("
            + bytes / 65536
            + "): s.sendall(chunk)\n"
            + "s.close()\n");
  }

  /** The guest's eth0; fails naming what the guest has instead. */
  public static GuestFacts.Interface eth0(GuestFacts facts) {
    return facts.interfaces().stream()
        .filter(i -> i.name().equals("eth0"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no eth0 in " + facts));
  }

  /**
   * The agent starts some time after the guest's report (udev starts it when its port appears):
   * asks until the facts pass {@code test}.
   */
  public static GuestFacts awaitFacts(
      GuestAgentClient agent, TestBudget budget, Predicate<GuestFacts> test) throws Exception {
    Exception last = null;
    GuestFacts facts = null;
    while (true) {
      try {
        facts = GuestFactsReader.read(agent, Duration.ofSeconds(10));
        if (facts.interfaces().stream().anyMatch(i -> i.name().equals("eth0"))
            && test.test(facts)) {
          return facts;
        }
      } catch (GuestAgentException e) {
        last = e; // not up yet
      }
      if (budget.left("the guest agent").compareTo(Duration.ofSeconds(1)) < 0) {
        throw new AssertionError("the guest agent never told; last facts " + facts, last);
      }
      Thread.sleep(200);
    }
  }
}
