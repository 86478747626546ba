package io.fastvm.node.device;

import io.fastvm.contract.DeviceResource;
import io.grpc.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node agent's device plugins: one DevicePlugin server per device, each on its own socket in
 * the kubelet's device plugin folder, registered with the kubelet. Every {@code interval} it checks
 * each device's health (the kubelet hears of a change at once) and whether the kubelet has
 * restarted: a restarted kubelet makes a new {@code kubelet.sock} and clears the folder, so a
 * plugin whose socket is gone serves anew and every plugin registers again. A kubelet that is not
 * there yet is tried again on the next check.
 */
public final class DevicePlugins implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DevicePlugins.class.getName());

  /** One device to serve: its resource, the device on the host, and how to tell it works. */
  public record Served(DeviceResource resource, Path device, DeviceHealth health) {}

  /** A plugin's server and what the kubelet knows of it. */
  private static final class Endpoint {
    final Served served;
    final DevicePluginService service;
    final String socketName;
    Server server;

    /** The kubelet socket this plugin registered with, or null: not registered. */
    Object registeredWith;

    /** The last health verdict's reason, to log changes only. */
    String reason;

    Endpoint(Served served, int slots) {
      this.served = served;
      this.service = new DevicePluginService(served.resource(), served.device(), slots);
      this.socketName = "fastvm-" + served.resource().shortName() + ".sock";
    }
  }

  private final Path pluginDir;
  private final UnixSockets sockets = new UnixSockets();
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final ScheduledExecutorService checks =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("fastvm-device-plugins").daemon().factory());

  private DevicePlugins(Path pluginDir, List<Served> devices, int slots) {
    this.pluginDir = pluginDir;
    for (Served served : devices) {
      endpoints.add(new Endpoint(served, slots));
    }
  }

  /**
   * Serves {@code devices} in {@code pluginDir} (the kubelet's {@code
   * /var/lib/kubelet/device-plugins}), each as {@code slots} shareable device IDs, checking every
   * {@code interval}. The first check runs before this returns.
   */
  public static DevicePlugins start(
      Path pluginDir, List<Served> devices, int slots, Duration interval)
      throws InterruptedException {
    DevicePlugins plugins = new DevicePlugins(pluginDir, devices, slots);
    plugins.check();
    plugins.checks.scheduleWithFixedDelay(
        () -> {
          try {
            plugins.check();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "device plugin check failed", e);
          }
        },
        interval.toMillis(),
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return plugins;
  }

  /** The socket file of {@code resource}'s plugin. */
  public Path socket(DeviceResource resource) {
    return endpoints.stream()
        .filter(e -> e.served.resource() == resource)
        .map(e -> pluginDir.resolve(e.socketName))
        .findFirst()
        .orElseThrow();
  }

  /** Health, kubelet restarts and registration: one round. */
  synchronized void check() throws InterruptedException {
    for (Endpoint endpoint : endpoints) {
      DeviceHealth.Verdict verdict = endpoint.served.health().check();
      if (!verdict.reason().equals(endpoint.reason)) {
        LOG.log(
            System.Logger.Level.INFO,
            "{0}: {1} ({2})",
            endpoint.served.resource().resourceName(),
            verdict.healthy() ? DevicePluginService.HEALTHY : DevicePluginService.UNHEALTHY,
            verdict.reason());
        endpoint.reason = verdict.reason();
      }
      endpoint.service.health(verdict.healthy());
    }
    Object kubelet = kubeletSocket();
    for (Endpoint endpoint : endpoints) {
      if (endpoint.server == null || !Files.exists(pluginDir.resolve(endpoint.socketName))) {
        serve(endpoint);
      }
      if (kubelet != null && !kubelet.equals(endpoint.registeredWith)) {
        register(endpoint, kubelet);
      }
    }
  }

  private void serve(Endpoint endpoint) {
    if (endpoint.server != null) {
      endpoint.service.endStreams();
      UnixSockets.stop(endpoint.server);
    }
    try {
      endpoint.server = sockets.serve(pluginDir.resolve(endpoint.socketName), endpoint.service);
      endpoint.registeredWith = null; // a new socket the kubelet does not know yet
    } catch (IOException e) {
      endpoint.server = null;
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot serve " + endpoint.socketName + " in " + pluginDir + ": " + e.getMessage());
    }
  }

  private void register(Endpoint endpoint, Object kubelet) {
    if (endpoint.server == null) {
      return;
    }
    try {
      KubeletRegistration.register(
          sockets, pluginDir, endpoint.socketName, endpoint.served.resource());
      endpoint.registeredWith = kubelet;
      LOG.log(
          System.Logger.Level.INFO,
          "registered {0} with the kubelet ({1})",
          endpoint.served.resource().resourceName(),
          endpoint.socketName);
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "the kubelet did not register "
              + endpoint.served.resource().resourceName()
              + " (tried again in a moment): "
              + e.getMessage());
    }
  }

  /**
   * What identifies the kubelet's socket: inode and modification time, since a new socket may get
   * the inode of the one it replaces; null when there is none.
   */
  private Object kubeletSocket() {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(
              pluginDir.resolve(KubeletRegistration.KUBELET_SOCKET), BasicFileAttributes.class);
      return List.of(
          Objects.requireNonNullElse(attributes.fileKey(), ""),
          attributes.lastModifiedTime(),
          attributes.creationTime());
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public synchronized void close() {
    checks.shutdownNow();
    for (Endpoint endpoint : endpoints) {
      endpoint.service.endStreams();
      if (endpoint.server != null) {
        UnixSockets.stop(endpoint.server);
      }
      try {
        Files.deleteIfExists(pluginDir.resolve(endpoint.socketName));
      } catch (IOException e) {
        // The kubelet clears the folder anyway.
      }
    }
    sockets.close();
  }
}
