package io.fastvm.node.console;

import io.fastvm.contract.console.ConsoleChannel;
import io.fastvm.contract.console.ConsoleIdentities;
import io.fastvm.contract.console.TlsMaterial;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * How a VM pod's console endpoint is set up.
 *
 * @param bind address and port to listen on ({@code 0.0.0.0:5900} in a pod)
 * @param tls the endpoint's certificate (naming its VM), key and the console CA, re-read on
 *     rotation
 * @param runtimeDir the launcher's runtime dir holding the console sockets
 * @param sockets socket file name per channel (relative to {@code runtimeDir}); a channel that is
 *     missing here is refused
 * @param clientIdentity URI SAN the client certificate must carry
 * @param handshakeTimeout time a client has for the TLS handshake and its request line
 */
public record EndpointSettings(
    InetSocketAddress bind,
    TlsReloader tls,
    Path runtimeDir,
    Map<ConsoleChannel, String> sockets,
    String clientIdentity,
    Duration handshakeTimeout) {

  public EndpointSettings {
    sockets = sockets.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(sockets));
  }

  /** The usual settings: every channel at its default socket name, only the proxy as client. */
  public static EndpointSettings defaults(InetSocketAddress bind, TlsMaterial tls, Path runtimeDir)
      throws GeneralSecurityException {
    return defaults(bind, TlsReloader.fixed(tls), runtimeDir);
  }

  /** The usual settings with TLS material that may change (a mounted Secret). */
  public static EndpointSettings defaults(
      InetSocketAddress bind, TlsReloader tls, Path runtimeDir) {
    return defaults(bind, tls, runtimeDir, EnumSet.allOf(ConsoleChannel.class));
  }

  /** The usual settings, serving only {@code channels} from their usual sockets. */
  public static EndpointSettings defaults(
      InetSocketAddress bind, TlsReloader tls, Path runtimeDir, Set<ConsoleChannel> channels) {
    Map<ConsoleChannel, String> sockets = new EnumMap<>(ConsoleChannel.class);
    for (ConsoleChannel channel : channels) {
      sockets.put(channel, channel.defaultSocketName());
    }
    return new EndpointSettings(
        bind, tls, runtimeDir, sockets, ConsoleIdentities.PROXY, Duration.ofSeconds(10));
  }
}
