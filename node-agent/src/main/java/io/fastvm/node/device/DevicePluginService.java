package io.fastvm.node.device;

import io.fastvm.contract.DeviceResource;
import io.fastvm.node.device.v1beta1.AllocateRequest;
import io.fastvm.node.device.v1beta1.AllocateResponse;
import io.fastvm.node.device.v1beta1.ContainerAllocateRequest;
import io.fastvm.node.device.v1beta1.ContainerAllocateResponse;
import io.fastvm.node.device.v1beta1.Device;
import io.fastvm.node.device.v1beta1.DevicePluginGrpc;
import io.fastvm.node.device.v1beta1.DevicePluginOptions;
import io.fastvm.node.device.v1beta1.DeviceSpec;
import io.fastvm.node.device.v1beta1.Empty;
import io.fastvm.node.device.v1beta1.ListAndWatchResponse;
import io.fastvm.node.device.v1beta1.PreStartContainerRequest;
import io.fastvm.node.device.v1beta1.PreStartContainerResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's DevicePlugin service for one node device. The device is shared: it is advertised as
 * {@code slots} interchangeable device IDs, so that many VM pods on the node can each request one,
 * and every allocation puts the same host device into the container, at the same path, with
 * read-write access. All IDs are healthy or unhealthy together, as the device is; every open
 * ListAndWatch stream hears of a change at once.
 */
public final class DevicePluginService extends DevicePluginGrpc.DevicePluginImplBase {
  /** The health strings of the API (k8s.io/kubelet's constants.go). */
  public static final String HEALTHY = "Healthy";

  public static final String UNHEALTHY = "Unhealthy";

  private final DeviceResource resource;
  private final Path device;
  private final int slots;
  private final Set<StreamObserver<ListAndWatchResponse>> watchers = ConcurrentHashMap.newKeySet();
  private volatile boolean healthy;

  /**
   * @param device the device on the host, e.g. {@code /dev/kvm}
   * @param slots how many pods may hold the device at once
   */
  public DevicePluginService(DeviceResource resource, Path device, int slots) {
    this.resource = resource;
    this.device = device;
    this.slots = slots;
  }

  public DeviceResource resource() {
    return resource;
  }

  public boolean healthy() {
    return healthy;
  }

  /** Sets the health of the device; the kubelet hears of a change at once. */
  public void health(boolean now) {
    if (healthy == now) {
      return;
    }
    healthy = now;
    ListAndWatchResponse list = devices();
    for (StreamObserver<ListAndWatchResponse> watcher : watchers) {
      send(watcher, list);
    }
  }

  @Override
  public void getDevicePluginOptions(Empty request, StreamObserver<DevicePluginOptions> response) {
    // No PreStartContainer and no preferred allocation: every ID stands for the same device.
    response.onNext(DevicePluginOptions.getDefaultInstance());
    response.onCompleted();
  }

  @Override
  public void listAndWatch(Empty request, StreamObserver<ListAndWatchResponse> response) {
    if (response instanceof ServerCallStreamObserver<ListAndWatchResponse> call) {
      call.setOnCancelHandler(() -> watchers.remove(response));
    }
    watchers.add(response);
    send(response, devices());
  }

  @Override
  public void allocate(AllocateRequest request, StreamObserver<AllocateResponse> response) {
    AllocateResponse.Builder answer = AllocateResponse.newBuilder();
    for (ContainerAllocateRequest container : request.getContainerRequestsList()) {
      for (String id : container.getDevicesIdsList()) {
        if (!knownId(id)) {
          response.onError(
              Status.INVALID_ARGUMENT
                  .withDescription(resource.resourceName() + " has no device " + id)
                  .asRuntimeException());
          return;
        }
      }
      if (!healthy) {
        response.onError(
            Status.FAILED_PRECONDITION
                .withDescription(resource.resourceName() + ": " + device + " is unhealthy")
                .asRuntimeException());
        return;
      }
      answer.addContainerResponses(
          ContainerAllocateResponse.newBuilder()
              .addDevices(
                  DeviceSpec.newBuilder()
                      .setHostPath(device.toString())
                      .setContainerPath(resource.devicePath())
                      .setPermissions("rw")));
    }
    response.onNext(answer.build());
    response.onCompleted();
  }

  @Override
  public void preStartContainer(
      PreStartContainerRequest request, StreamObserver<PreStartContainerResponse> response) {
    response.onNext(PreStartContainerResponse.getDefaultInstance());
    response.onCompleted();
  }

  /** Ends every ListAndWatch stream (the plugin is going away or registering anew). */
  public void endStreams() {
    for (StreamObserver<ListAndWatchResponse> watcher : watchers) {
      synchronized (watcher) {
        try {
          watcher.onCompleted();
        } catch (RuntimeException e) {
          // Already cancelled by the kubelet.
        }
      }
    }
    watchers.clear();
  }

  private ListAndWatchResponse devices() {
    ListAndWatchResponse.Builder list = ListAndWatchResponse.newBuilder();
    String health = healthy ? HEALTHY : UNHEALTHY;
    for (int i = 0; i < slots; i++) {
      list.addDevices(Device.newBuilder().setID(id(i)).setHealth(health));
    }
    return list.build();
  }

  private String id(int slot) {
    return resource.shortName() + "-" + slot;
  }

  private boolean knownId(String id) {
    String prefix = resource.shortName() + "-";
    if (!id.startsWith(prefix)) {
      return false;
    }
    try {
      int slot = Integer.parseInt(id.substring(prefix.length()));
      return slot >= 0 && slot < slots && id.equals(id(slot));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private void send(StreamObserver<ListAndWatchResponse> watcher, ListAndWatchResponse list) {
    // A stream observer is not thread-safe: health changes and new streams come from two threads.
    synchronized (watcher) {
      try {
        watcher.onNext(list);
      } catch (RuntimeException e) {
        watchers.remove(watcher); // cancelled meanwhile
      }
    }
  }
}
