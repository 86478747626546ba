package io.fastvm.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fastvm.contract.DeviceResource;
import io.fastvm.node.device.DeviceHealth;
import io.fastvm.node.device.DevicePlugins;
import io.fastvm.node.device.KvmHealth;
import io.fastvm.node.device.OpenableDevice;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@code fastvm-node-agent} serves, and how its options reach the device plugins. */
class NodeAgentMainTest {

  @Test
  void servesEveryDeviceAVmPodRequestsAtItsHostPath() {
    NodeAgentMain agent = new NodeAgentMain();
    new CommandLine(agent).parseArgs("--device-plugin-dir=/tmp/plugins", "--device-slots=7");
    assertThat(agent.pluginDir).isEqualTo(Path.of("/tmp/plugins"));
    assertThat(agent.slots).isEqualTo(7);
    assertThat(agent.devices())
        .extracting(DevicePlugins.Served::resource)
        .containsExactly(DeviceResource.values());
    for (DevicePlugins.Served served : agent.devices()) {
      assertThat(served.device().toString()).isEqualTo(served.resource().devicePath());
      DeviceHealth health = served.health();
      if (served.resource() == DeviceResource.KVM) {
        // KVM must run guest code (the launcher's probe), not merely exist.
        assertThat(health).isInstanceOf(KvmHealth.class);
      } else {
        assertThat(health).isEqualTo(new OpenableDevice(served.device()));
      }
    }
  }

  @Test
  void defaultsAreTheKubeletsFolderAndAThousandPodsPerDevice() {
    NodeAgentMain agent = new NodeAgentMain();
    new CommandLine(agent).parseArgs();
    assertThat(agent.pluginDir).isEqualTo(Path.of("/var/lib/kubelet/device-plugins"));
    assertThat(agent.slots).isEqualTo(1000);
    assertThat(agent.checkSeconds).isEqualTo(5);
  }
}
