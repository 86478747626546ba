package io.fastvm.operator.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A class of scenarios run by one operator against one cluster (the mock or a real API server, as
 * the subclass's {@code @BeforeAll} chooses), with a fake kubelet that reports pods running and
 * makes deletions graceful. Everything {@link #begin} and {@link #closeLater} start is closed after
 * the class, last started first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OperatorScenario {
  public static final String NS = TestVms.NS;

  protected TestCluster cluster;
  protected KubernetesClient client;
  protected RunningOperator operator;
  protected FakeKubelet kubelet;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  /** Starts the operator ({@code start}, given the cluster's client) and the kubelet. */
  protected void begin(TestCluster testCluster, Function<KubernetesClient, RunningOperator> start) {
    cluster = closeLater(testCluster);
    client = cluster.client();
    cluster.ensureNamespace(NS);
    operator = closeLater(start.apply(client));
    kubelet = closeLater(FakeKubelet.watching(cluster, false, true));
  }

  /** Closes {@code resource} after the class's tests, before what was started earlier. */
  protected <T extends AutoCloseable> T closeLater(T resource) {
    started.push(resource);
    return resource;
  }

  @AfterAll
  void stop() throws Exception {
    Exception first = null;
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** The Events posted so far about objects named {@code name} in {@link #NS}. */
  protected List<Event> events(String name) {
    operator.flushEvents();
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /**
   * Waits up to {@code wait} for a status that passes {@code test} and returns it; a timeout fails
   * naming {@code what} and the last status seen.
   */
  public static <S> S awaitStatus(
      String what, Duration wait, Supplier<S> status, Predicate<S> test) {
    Object[] last = new Object[1];
    try {
      await()
          .atMost(wait)
          .until(
              () -> {
                S now = status.get();
                last[0] = now;
                return now != null && test.test(now);
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          what + " did not get there within " + wait + "; last status " + last[0], e);
    }
    @SuppressWarnings("unchecked")
    S found = (S) last[0];
    return found;
  }
}
