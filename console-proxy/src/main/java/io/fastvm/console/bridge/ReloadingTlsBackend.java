package io.fastvm.console.bridge;

import io.fastvm.console.target.VmTarget;
import io.fastvm.contract.console.ConsoleChannel;
import io.fastvm.contract.console.TlsMaterial;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * The mutual-TLS backend with the proxy's client certificate as it is now: the operator issues it
 * into a Secret that the proxy mounts as an optional volume, so it may appear (and will be renewed)
 * after the proxy started. Until it is there, consoles are refused as unavailable.
 */
public final class ReloadingTlsBackend implements ConsoleBackend {
  private final Vertx vertx;
  private final int port;
  private final Duration timeout;
  private volatile TlsConsoleBackend current;

  public ReloadingTlsBackend(Vertx vertx, int port, Duration timeout) {
    this.vertx = vertx;
    this.port = port;
    this.timeout = timeout;
  }

  /**
   * Uses {@code tls} for connections opened from now on.
   *
   * @return whether anything changed
   */
  public Future<Boolean> use(TlsMaterial tls) {
    TlsConsoleBackend backend = current;
    if (backend == null) {
      current = new TlsConsoleBackend(vertx, tls, port, timeout);
      return Future.succeededFuture(true);
    }
    return backend.update(tls);
  }

  public boolean ready() {
    return current != null;
  }

  @Override
  public Future<BackendStream> open(VmTarget target, ConsoleChannel channel) {
    TlsConsoleBackend backend = current;
    if (backend == null) {
      return Future.failedFuture(
          new BackendRefusedException(
              "the proxy has no client certificate for the VM console endpoints yet"));
    }
    return backend.open(target, channel);
  }

  @Override
  public void close() {
    TlsConsoleBackend backend = current;
    if (backend != null) {
      backend.close();
    }
  }
}
