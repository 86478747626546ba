package io.fastvm.node.device;

import io.fastvm.contract.DeviceResource;
import io.fastvm.node.device.v1beta1.DevicePluginOptions;
import io.fastvm.node.device.v1beta1.RegisterRequest;
import io.fastvm.node.device.v1beta1.RegistrationGrpc;
import io.grpc.ManagedChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Registers a device plugin's socket with the kubelet (its Registration service). */
public final class KubeletRegistration {
  /** The API version of src/main/protobuf's device plugin API. */
  public static final String VERSION = "v1beta1";

  /** The kubelet's socket in its device plugin folder. */
  public static final String KUBELET_SOCKET = "kubelet.sock";

  private KubeletRegistration() {}

  /**
   * Tells the kubelet whose socket is {@code pluginDir}/kubelet.sock that {@code endpoint} (a
   * socket file in the same folder) serves {@code resource}; throws when the kubelet refuses or is
   * not there.
   */
  public static void register(
      UnixSockets sockets, Path pluginDir, String endpoint, DeviceResource resource) {
    ManagedChannel channel = sockets.connect(pluginDir.resolve(KUBELET_SOCKET));
    try {
      RegistrationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .register(
              RegisterRequest.newBuilder()
                  .setVersion(VERSION)
                  .setEndpoint(endpoint)
                  .setResourceName(resource.resourceName())
                  .setOptions(DevicePluginOptions.getDefaultInstance())
                  .build());
    } finally {
      channel.shutdownNow();
    }
  }
}
