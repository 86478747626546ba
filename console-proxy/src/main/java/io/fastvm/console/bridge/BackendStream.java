package io.fastvm.console.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * An open connection to one console of a VM, ready for its bytes; {@code initial} holds console
 * bytes that arrived together with the endpoint's reply and must reach the browser first.
 */
public record BackendStream(NetSocket socket, Buffer initial) {}
