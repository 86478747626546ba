package io.fastvm.node.agent;

import io.fastvm.api.v1alpha1.GuestStatus;
import io.fastvm.node.guestagent.GuestAgentClient;
import io.fastvm.node.guestagent.GuestAgentException;
import io.fastvm.node.guestagent.GuestFacts;
import io.fastvm.node.guestagent.GuestFactsReader;
import io.fastvm.node.guestagent.GuestStatuses;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The node agent's watch on one VM pod's guest: each {@link #poll} asks the guest agent (on the
 * pod's guest agent socket) for its facts and hands on the VM's {@code status.guest} when it
 * differs from the last one handed on, so nothing is written while nothing changes.
 */
final class GuestWatch {
  private final String podName;
  private final Path socket;
  private final Duration timeout;
  private final Predicate<GuestStatus> write;
  private GuestStatus last;
  private int misses;

  /**
   * @param current the VM's status.guest as the API server has it (a restarted node agent writes
   *     nothing new when nothing changed)
   * @param timeout for each guest agent command
   * @param write writes a new status.guest; false when it could not (tried again next round)
   */
  GuestWatch(
      String podName,
      Path socket,
      GuestStatus current,
      Duration timeout,
      Predicate<GuestStatus> write) {
    this.podName = podName;
    this.socket = socket;
    this.last = current;
    this.timeout = timeout;
    this.write = write;
  }

  /**
   * One round: connect, ask, disconnect, then write if changed. The guest agent's port takes one
   * client at a time, so the connection is held for a round only.
   *
   * @return what the guest agent said, or null when it did not answer
   */
  GuestFacts poll() throws InterruptedException {
    GuestStatus next;
    GuestFacts facts = null;
    try (GuestAgentClient agent = GuestAgentClient.connect(socket)) {
      facts = GuestFactsReader.read(agent, timeout);
      next = GuestStatuses.of(podName, facts);
      misses = 0;
    } catch (GuestAgentException e) {
      misses++;
      next = GuestStatuses.missed(podName, last, misses, e.getMessage());
    } catch (IOException e) {
      // No socket (yet): the launcher makes it when QEMU starts.
      misses++;
      next =
          GuestStatuses.missed(podName, last, misses, "no guest agent socket: " + e.getMessage());
    }
    if (!Objects.equals(next, last) && write.test(next)) {
      last = next;
    }
    return facts;
  }
}
