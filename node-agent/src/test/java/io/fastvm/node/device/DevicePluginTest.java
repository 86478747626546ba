package io.fastvm.node.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fastvm.contract.DeviceResource;
import io.fastvm.node.device.v1beta1.AllocateRequest;
import io.fastvm.node.device.v1beta1.AllocateResponse;
import io.fastvm.node.device.v1beta1.ContainerAllocateRequest;
import io.fastvm.node.device.v1beta1.Device;
import io.fastvm.node.device.v1beta1.DevicePluginGrpc;
import io.fastvm.node.device.v1beta1.DeviceSpec;
import io.fastvm.node.device.v1beta1.Empty;
import io.fastvm.node.device.v1beta1.ListAndWatchResponse;
import io.fastvm.node.device.v1beta1.RegisterRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node agent's device plugins against a kubelet's registration server ({@link TestKubelet}),
 * over the real protocol on unix sockets. The devices are files in a test folder standing for /dev:
 * {@link OpenableDevice} finds them healthy while they open read-write, and the tests take them
 * away.
 */
class DevicePluginTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final Duration CHECKS = Duration.ofMillis(100);
  static final int SLOTS = 3;

  @TempDir Path tmp;
  Path pluginDir;
  Path dev;

  @BeforeEach
  void folders() throws Exception {
    pluginDir = Files.createDirectories(tmp.resolve("device-plugins"));
    dev = Files.createDirectories(tmp.resolve("dev"));
    for (DeviceResource resource : DeviceResource.values()) {
      Files.writeString(device(resource), "");
    }
  }

  private Path device(DeviceResource resource) {
    return dev.resolve(resource.shortName());
  }

  private DevicePlugins start() throws InterruptedException {
    List<DevicePlugins.Served> served =
        List.of(DeviceResource.values()).stream()
            .map(r -> new DevicePlugins.Served(r, device(r), new OpenableDevice(device(r))))
            .toList();
    return DevicePlugins.start(pluginDir, served, SLOTS, CHECKS);
  }

  private static String endpoint(DeviceResource resource) {
    return "fastvm-" + resource.shortName() + ".sock";
  }

  /** A ListAndWatch stream that fails the test instead of blocking past {@link #WAIT}. */
  private static Iterator<ListAndWatchResponse> watch(
      DevicePluginGrpc.DevicePluginBlockingStub plugin) {
    return plugin
        .withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS)
        .listAndWatch(Empty.getDefaultInstance());
  }

  private static List<String> health(ListAndWatchResponse list) {
    return list.getDevicesList().stream().map(Device::getHealth).distinct().toList();
  }

  @Test
  void eachDeviceRegistersAndAllocatesItsDeviceToEveryContainer() throws Exception {
    try (TestKubelet kubelet = TestKubelet.start(pluginDir);
        DevicePlugins plugins = start()) {
      List<RegisterRequest> registered = kubelet.awaitRegistrations(3, WAIT);
      assertThat(registered)
          .extracting(RegisterRequest::getResourceName)
          .containsExactlyInAnyOrder(
              "devices.fastvm.io/kvm", "devices.fastvm.io/tun", "devices.fastvm.io/vhost-net");
      assertThat(registered).allMatch(r -> r.getVersion().equals("v1beta1"));
      for (DeviceResource resource : DeviceResource.values()) {
        RegisterRequest request =
            registered.stream()
                .filter(r -> r.getResourceName().equals(resource.resourceName()))
                .findFirst()
                .orElseThrow();
        assertThat(request.getEndpoint()).isEqualTo(endpoint(resource));
        assertThat(plugins.socket(resource)).isEqualTo(pluginDir.resolve(endpoint(resource)));

        var plugin = kubelet.plugin(request.getEndpoint());
        var options = plugin.getDevicePluginOptions(Empty.getDefaultInstance());
        assertThat(options.getPreStartRequired()).isFalse();
        assertThat(options.getGetPreferredAllocationAvailable()).isFalse();

        ListAndWatchResponse list = watch(plugin).next();
        String prefix = resource.shortName() + "-";
        assertThat(list.getDevicesList())
            .extracting(Device::getID)
            .containsExactly(prefix + 0, prefix + 1, prefix + 2);
        assertThat(health(list)).containsExactly(DevicePluginService.HEALTHY);

        // Two containers of one pod, or two pods: each gets the one device, read-write.
        AllocateResponse allocated =
            plugin.allocate(
                AllocateRequest.newBuilder()
                    .addContainerRequests(
                        ContainerAllocateRequest.newBuilder().addDevicesIds(prefix + 0))
                    .addContainerRequests(
                        ContainerAllocateRequest.newBuilder().addDevicesIds(prefix + 2))
                    .build());
        DeviceSpec expected =
            DeviceSpec.newBuilder()
                .setHostPath(device(resource).toString())
                .setContainerPath(resource.devicePath())
                .setPermissions("rw")
                .build();
        assertThat(allocated.getContainerResponsesList()).hasSize(2);
        assertThat(allocated.getContainerResponsesList())
            .allSatisfy(c -> assertThat(c.getDevicesList()).containsExactly(expected));

        assertThatThrownBy(
                () ->
                    plugin.allocate(
                        AllocateRequest.newBuilder()
                            .addContainerRequests(
                                ContainerAllocateRequest.newBuilder().addDevicesIds(prefix + SLOTS))
                            .build()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                  assertThat(e.getStatus().getDescription())
                      .isEqualTo(resource.resourceName() + " has no device " + prefix + SLOTS);
                });
      }
    }
  }

  @Test
  void healthFlipsWhenTheDeviceDisappearsAndWhenItComesBack() throws Exception {
    try (TestKubelet kubelet = TestKubelet.start(pluginDir);
        DevicePlugins plugins = start()) {
      kubelet.awaitRegistrations(3, WAIT);
      var tun = kubelet.plugin(endpoint(DeviceResource.TUN));
      var kvm = kubelet.plugin(endpoint(DeviceResource.KVM));
      Iterator<ListAndWatchResponse> tunStream = watch(tun);
      Iterator<ListAndWatchResponse> kvmStream = watch(kvm);
      assertThat(health(tunStream.next())).containsExactly(DevicePluginService.HEALTHY);
      assertThat(health(kvmStream.next())).containsExactly(DevicePluginService.HEALTHY);

      Files.delete(device(DeviceResource.TUN));
      ListAndWatchResponse gone = tunStream.next();
      assertThat(gone.getDevicesCount()).isEqualTo(SLOTS);
      assertThat(health(gone)).containsExactly(DevicePluginService.UNHEALTHY);
      assertThatThrownBy(
              () ->
                  tun.allocate(
                      AllocateRequest.newBuilder()
                          .addContainerRequests(
                              ContainerAllocateRequest.newBuilder().addDevicesIds("tun-0"))
                          .build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));

      Files.writeString(device(DeviceResource.TUN), "");
      assertThat(health(tunStream.next())).containsExactly(DevicePluginService.HEALTHY);

      // The other device never changed, so its stream said nothing more: the next message on it
      // is the one after KVM's own change.
      Files.delete(device(DeviceResource.KVM));
      assertThat(health(kvmStream.next())).containsExactly(DevicePluginService.UNHEALTHY);
    }
  }

  @Test
  void everyPluginRegistersAgainWhenTheKubeletRestarts() throws Exception {
    try (DevicePlugins plugins = start()) {
      try (TestKubelet first = TestKubelet.start(pluginDir)) {
        first.awaitRegistrations(3, WAIT);
        assertThat(first.pending()).isEmpty();
      }
      // A restarted kubelet clears the folder, plugin sockets too, and makes a new kubelet.sock.
      try (TestKubelet second = TestKubelet.start(pluginDir)) {
        List<RegisterRequest> again = second.awaitRegistrations(3, WAIT);
        assertThat(again)
            .extracting(RegisterRequest::getEndpoint)
            .containsExactlyInAnyOrder(
                endpoint(DeviceResource.KVM),
                endpoint(DeviceResource.TUN),
                endpoint(DeviceResource.VHOST_NET));
        for (RegisterRequest request : again) {
          assertThat(health(watch(second.plugin(request.getEndpoint())).next()))
              .containsExactly(DevicePluginService.HEALTHY);
        }
      }
    }
  }

  @Test
  void aKubeletThatComesLaterIsRegisteredWithOnce() throws Exception {
    try (DevicePlugins plugins = start()) {
      assertThat(plugins.socket(DeviceResource.KVM)).exists();
      try (TestKubelet kubelet = TestKubelet.start(pluginDir)) {
        // Its start cleared the folder: the plugins serve again, then register.
        kubelet.awaitRegistrations(3, WAIT);
        // Ten more rounds of checks: nothing changed, so nothing registers again.
        for (int round = 0; round < 10; round++) {
          plugins.check();
        }
        assertThat(kubelet.pending()).isEmpty();
      }
    }
  }
}
