package io.fastvm.node.device;

import io.fastvm.node.device.v1beta1.DevicePluginGrpc;
import io.fastvm.node.device.v1beta1.Empty;
import io.fastvm.node.device.v1beta1.RegisterRequest;
import io.fastvm.node.device.v1beta1.RegistrationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The kubelet's side of the device plugin API for tests, over the real protocol: a Registration
 * server on {@code kubelet.sock} in a device plugin folder that records each RegisterRequest, and
 * channels back to a plugin's endpoint, as the kubelet's device manager dials them. Like a kubelet
 * that starts, it clears the folder first; {@link #close()} stops it, taking its socket away.
 */
final class TestKubelet implements AutoCloseable {
  private final Path pluginDir;
  private final UnixSockets sockets = new UnixSockets();
  private final BlockingQueue<RegisterRequest> registrations = new LinkedBlockingQueue<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final Server server;

  private TestKubelet(Path pluginDir) throws IOException {
    this.pluginDir = Files.createDirectories(pluginDir);
    try (Stream<Path> files = Files.list(pluginDir)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    server =
        sockets.serve(
            pluginDir.resolve(KubeletRegistration.KUBELET_SOCKET),
            new RegistrationGrpc.RegistrationImplBase() {
              @Override
              public void register(RegisterRequest request, StreamObserver<Empty> response) {
                registrations.add(request);
                response.onNext(Empty.getDefaultInstance());
                response.onCompleted();
              }
            });
  }

  static TestKubelet start(Path pluginDir) throws IOException {
    return new TestKubelet(pluginDir);
  }

  /** The next {@code count} registrations, failing after {@code timeout}. */
  List<RegisterRequest> awaitRegistrations(int count, Duration timeout)
      throws InterruptedException {
    List<RegisterRequest> seen = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (seen.size() < count) {
      RegisterRequest next = registrations.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (next == null) {
        throw new AssertionError(
            "only " + seen.size() + " of " + count + " registrations in " + timeout + ": " + seen);
      }
      seen.add(next);
    }
    return seen;
  }

  /** Registrations that arrived and were not awaited. */
  List<RegisterRequest> pending() {
    List<RegisterRequest> rest = new ArrayList<>();
    registrations.drainTo(rest);
    return rest;
  }

  /** A stub for the plugin that registered {@code endpoint}, as the kubelet dials it. */
  DevicePluginGrpc.DevicePluginBlockingStub plugin(String endpoint) {
    ManagedChannel channel = sockets.connect(pluginDir.resolve(endpoint));
    channels.add(channel);
    return DevicePluginGrpc.newBlockingStub(channel);
  }

  @Override
  public void close() throws IOException {
    channels.forEach(ManagedChannel::shutdownNow);
    UnixSockets.stop(server);
    Files.deleteIfExists(pluginDir.resolve(KubeletRegistration.KUBELET_SOCKET));
    sockets.close();
  }
}
