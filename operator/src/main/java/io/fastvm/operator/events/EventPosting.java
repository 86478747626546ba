package io.fastvm.operator.events;

/**
 * A reconciler that posts Events through its own {@link EventRecorder}, made with its event sources
 * (the recorder needs the operator's client, which only arrives then).
 */
public interface EventPosting extends AutoCloseable {

  /** The recorder; null before the event sources are prepared. */
  EventRecorder eventRecorder();

  /** Posts remaining events; for tests and shutdown. */
  default void flushEvents() {
    EventRecorder events = eventRecorder();
    if (events != null) {
      events.flush(5000);
    }
  }

  @Override
  default void close() {
    EventRecorder events = eventRecorder();
    if (events != null) {
      events.close();
    }
  }
}
