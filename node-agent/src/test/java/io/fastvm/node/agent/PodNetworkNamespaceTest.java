package io.fastvm.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fastvm.node.metrics.ProcFs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A VM pod's network namespace from a {@code /proc} written out here. */
class PodNetworkNamespaceTest {
  static final String UID = "0b1c2d3e-1111-2222-3333-444455556666";

  @TempDir Path proc;

  @Test
  void aProcessOfThePodIsRememberedUntilItIsGone() throws Exception {
    PodNetworkNamespace netns = PodNetworkNamespace.of(new ProcFs(proc));
    Pod pod = new PodBuilder().withNewMetadata().withUid(UID).endMetadata().build();
    assertThat(netns.of(pod)).as("no sandbox yet").isEmpty();

    process(4001, "/kubepods/pod" + UID + "/sandbox");
    assertThat(netns.of(pod)).contains(proc.resolve("4001/ns/net"));
    // A second process of the pod does not change the answer while the first lives.
    process(3999, "/kubepods/pod" + UID + "/launcher");
    assertThat(netns.of(pod)).contains(proc.resolve("4001/ns/net"));

    // The sandbox is made again: its old process is gone, another one is found.
    Files.writeString(proc.resolve("4001/cgroup"), "0::/user.slice\n");
    assertThat(netns.of(pod)).contains(proc.resolve("3999/ns/net"));
  }

  private void process(long pid, String cgroup) throws Exception {
    Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(dir.resolve("status"), "Name:\tx\nNSpid:\t" + pid + "\n");
    Files.writeString(dir.resolve("cgroup"), "0::" + cgroup + "\n");
  }
}
