package io.fastvm.console.bridge;

import io.fastvm.console.audit.AuditEvent;
import io.fastvm.console.audit.AuditLog;
import io.fastvm.console.metrics.ConsoleMetrics;
import io.fastvm.console.session.EndReason;
import io.fastvm.console.session.Session;
import io.fastvm.console.session.SessionConnection;
import io.fastvm.contract.console.ConsoleChannel;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Relays one browser WebSocket and one VM console stream both ways with backpressure: a side that
 * cannot keep up pauses the other. VNC and SPICE travel as binary frames; the serial console as
 * text frames (valid UTF-8) to the browser, and text or binary from it. What the browser sends goes
 * through a {@link ClientStreamFilter} (view-only, activity). Either side closing closes both.
 */
public final class WebSocketBridge implements SessionConnection {
  private final ServerWebSocket ws;
  private final BackendStream backend;
  private final Session session;
  private final ConsoleChannel channel;
  private final ClientStreamFilter filter;
  private final ConsoleMetrics metrics;
  private final AuditLog audit;
  private final Clock clock;
  private final String source;
  private final AtomicBoolean finished = new AtomicBoolean();
  private final LongAdder toClient = new LongAdder();
  private final LongAdder toVm = new LongAdder();
  private Instant openedAt;
  private Counter clientCounter;
  private Counter vmCounter;
  private Utf8StreamDecoder text;

  public WebSocketBridge(
      ServerWebSocket ws,
      BackendStream backend,
      Session session,
      ConsoleChannel channel,
      ClientStreamFilter filter,
      ConsoleMetrics metrics,
      AuditLog audit,
      Clock clock,
      String source) {
    this.ws = ws;
    this.backend = backend;
    this.session = session;
    this.channel = channel;
    this.filter = filter;
    this.metrics = metrics;
    this.audit = audit;
    this.clock = clock;
    this.source = source;
  }

  /** Starts relaying; the WebSocket and the backend socket must both be paused. */
  public void start() {
    openedAt = clock.instant();
    session.connections().add(this);
    metrics.connectionOpened(channel);
    audit.record(event("open", "ok"));
    if (session.isEnded()) {
      terminate(session.endReason());
      return;
    }
    NetSocket vm = backend.socket();
    clientCounter = metrics.bytesToClient(channel);
    vmCounter = metrics.bytesToVm(channel);
    text = channel == ConsoleChannel.SERIAL ? new Utf8StreamDecoder() : null;

    // Both sides are paused: what came with the endpoint's reply goes out before anything newer.
    if (backend.initial().length() > 0) {
      relayToClient(backend.initial());
    }
    vm.handler(
        chunk -> {
          relayToClient(chunk);
          if (ws.writeQueueFull()) {
            vm.pause();
            ws.drainHandler(v -> vm.resume());
          }
        });
    ws.handler(
        frame -> {
          FilterResult result = filter.filter(frame.getBytes());
          if (result.violation() != null) {
            ws.close((short) 1008, "refused: " + result.violation());
            return;
          }
          if (result.userInput()) {
            session.touch(clock.instant());
          }
          byte[] forward = result.forward();
          if (forward.length > 0) {
            vm.write(Buffer.buffer(forward));
            toVm.add(forward.length);
            session.countToVm(forward.length);
            vmCounter.increment(forward.length);
            if (vm.writeQueueFull()) {
              ws.pause();
              vm.drainHandler(v -> ws.resume());
            }
          }
        });
    vm.closeHandler(v -> finish(true));
    vm.exceptionHandler(e -> vm.close());
    ws.closeHandler(v -> finish(false));
    ws.exceptionHandler(e -> ws.close());
    vm.resume();
    ws.resume();
  }

  private void relayToClient(Buffer chunk) {
    int n = chunk.length();
    if (text != null) {
      String decoded = text.decode(chunk.getBytes());
      if (!decoded.isEmpty()) {
        ws.writeTextMessage(decoded);
      }
    } else {
      ws.writeBinaryMessage(chunk);
    }
    toClient.add(n);
    session.countToClient(n);
    clientCounter.increment(n);
  }

  @Override
  public void terminate(EndReason reason) {
    if (!ws.isClosed()) {
      ws.close(reason.closeCode(), "session ended: " + reason.word());
    }
    backend.socket().close();
  }

  private void finish(boolean byVm) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    if (byVm) {
      if (!ws.isClosed()) {
        ws.close((short) 1000, "console closed");
      }
    } else {
      backend.socket().close();
    }
    session.connections().remove(this);
    session.releaseConnection();
    metrics.connectionClosed(channel);
    audit.record(
        event("close", byVm ? "closed-by-vm" : "closed-by-client")
            .traffic(
                Duration.between(openedAt, clock.instant()).toMillis(),
                toClient.sum(),
                toVm.sum()));
  }

  private AuditEvent event(String event, String outcome) {
    return AuditEvent.of(event, outcome, 0)
        .user(session.user().username())
        .vm(session.namespace(), session.vm())
        .protocol(channel.wireName())
        .viewOnly(session.viewOnly())
        .source(source)
        .session(session.id());
  }
}
