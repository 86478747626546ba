package io.fastvm.console.session;

/** One bridged WebSocket of a session, which the session cuts when it ends. */
public interface SessionConnection {
  void terminate(EndReason reason);
}
