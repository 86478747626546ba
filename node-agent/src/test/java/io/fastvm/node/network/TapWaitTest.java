package io.fastvm.node.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastvm.api.v1alpha1.NicModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's wait for the taps of bridge NICs, on a folder standing in for /sys/class/net. */
class TapWaitTest {
  @TempDir Path sysClassNet;

  private static final List<NicAttachment> NICS =
      List.of(
          NicAttachment.userNetwork(
              "default", NicModel.VIRTIO, "52:54:00:00:00:01", false, List.of(), null),
          new NicAttachment(
              "lan", NicModel.VIRTIO, "52:54:00:00:00:02", null, new NicBackend.Tap("fvtap1")));

  @Test
  void withoutAWaitAMissingTapIsNamedWithTheCommandsThatMakeIt() {
    assertThatThrownBy(() -> new TapWait(sysClassNet, Duration.ZERO).await(NICS, () -> false))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("network lan: a bridge network needs the tap fvtap1")
        .hasMessageContaining("ip tuntap add fvtap1 mode tap user ")
        .hasMessageContaining("ip link set fvtap1 master BRIDGE up");
  }

  @Test
  void inAPodTheErrorNamesThePodInterfaceAndTheNodeAgent() {
    assertThatThrownBy(
            () -> new TapWait(sysClassNet, Duration.ofMillis(300)).await(NICS, () -> false))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("network lan: the tap fvtap1 is not there after")
        .hasMessageContaining("pod's interface net1")
        .hasMessageContaining("node agent");
  }

  @Test
  void returnsOnceTheTapAppears() throws Exception {
    CompletableFuture<Void> waiting =
        CompletableFuture.runAsync(
            () -> {
              try {
                new TapWait(sysClassNet, Duration.ofMinutes(2)).await(NICS, () -> false);
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(waiting).isNotDone();
    Files.createDirectory(sysClassNet.resolve("fvtap1"));
    waiting.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aStopEndsTheWaitWithoutAnError() throws Exception {
    new TapWait(sysClassNet, Duration.ofMinutes(2)).await(NICS, () -> true);
  }
}
