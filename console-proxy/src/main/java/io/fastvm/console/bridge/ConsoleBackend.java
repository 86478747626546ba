package io.fastvm.console.bridge;

import io.fastvm.console.target.VmTarget;
import io.fastvm.contract.console.ConsoleChannel;
import io.vertx.core.Future;

/** Opens a byte stream to one console of a running VM. */
public interface ConsoleBackend {
  Future<BackendStream> open(VmTarget target, ConsoleChannel channel);

  default void close() {}
}
