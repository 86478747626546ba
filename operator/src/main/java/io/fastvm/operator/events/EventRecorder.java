package io.fastvm.operator.events;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.operator.vm.VmMetadata;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Posts core/v1 Events about objects, off the reconcile threads (an Event is a report, not a step
 * of the reconcile). The same object, reason and message make one Event whose count grows, as
 * kubectl's recorder does, so a repeating problem does not flood the namespace.
 */
public final class EventRecorder implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;
  private static final int REMEMBERED = 10_000;

  private final KubernetesClient client;
  private final String component;
  private final Clock clock;
  private final ThreadPoolExecutor executor;

  private final Map<String, Integer> counts =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
          return size() > REMEMBERED;
        }
      };

  public EventRecorder(KubernetesClient client, String component, Clock clock) {
    this.client = client;
    this.component = component;
    this.clock = clock;
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(20_000),
            r -> {
              Thread t = new Thread(r, "fastvm-events");
              t.setDaemon(true);
              return t;
            },
            (r, e) -> LOG.warn("event queue full; dropping an event"));
  }

  public void record(HasMetadata object, boolean warning, String reason, String message) {
    executor.execute(() -> post(object, warning, reason, message));
  }

  private void post(HasMetadata object, boolean warning, String reason, String message) {
    String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message;
    String namespace = object.getMetadata().getNamespace();
    String name =
        object.getMetadata().getName()
            + "."
            + VmMetadata.shortHash(object.getMetadata().getUid() + "/" + reason + "/" + text, 16);
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    int count;
    synchronized (counts) {
      count = counts.merge(name, 1, Integer::sum);
    }
    try {
      if (count == 1) {
        Event event =
            new EventBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewInvolvedObject()
                .withApiVersion(object.getApiVersion())
                .withKind(object.getKind())
                .withName(object.getMetadata().getName())
                .withNamespace(namespace)
                .withUid(object.getMetadata().getUid())
                .endInvolvedObject()
                .withType(warning ? "Warning" : "Normal")
                .withReason(reason)
                .withMessage(text)
                .withCount(1)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withNewSource()
                .withComponent(component)
                .endSource()
                .withReportingComponent(component)
                .build();
        try {
          client.v1().events().inNamespace(namespace).resource(event).create();
          return;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw e;
          }
          // Made by an earlier operator process: continue its count.
          Event existing = client.v1().events().inNamespace(namespace).withName(name).get();
          count = existing == null || existing.getCount() == null ? 2 : existing.getCount() + 1;
          synchronized (counts) {
            counts.put(name, count);
          }
        }
      }
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .withName(name)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}");
    } catch (KubernetesClientException e) {
      LOG.debugf("could not post event %s: %s", name, e.getMessage());
      synchronized (counts) {
        counts.remove(name);
      }
    } catch (RuntimeException e) {
      LOG.warnf(e, "could not post event %s", name);
    }
  }

  /** Waits until queued events are posted (tests, shutdown). */
  public void flush(long timeoutMillis) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while ((executor.getQueue().size() > 0 || executor.getActiveCount() > 0)
        && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    flush(2000);
    executor.shutdownNow();
  }
}
