package io.fastvm.testcluster;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests a real control plane ({@link ControlPlane}): one per test JVM,
 * started on first use and stopped when the JVM's tests are done. Tests take it as a parameter
 * ({@code @BeforeAll static void setUp(ControlPlane cluster)}) and keep apart by namespaces.
 *
 * <p>Where the control plane cannot run (no Go to build it, no repository around the tests), the
 * tests skip, naming what is missing; dev/test counts such a skip as a failure.
 */
public final class RealApiServer implements ParameterResolver, BeforeAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RealApiServer.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ControlPlane.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(context);
  }

  /** Starts (or finds) the control plane before the class's tests, so {@link #plane()} has it. */
  @Override
  public void beforeAll(ExtensionContext context) {
    shared(context);
  }

  private static volatile ControlPlane current;

  /**
   * The JVM's control plane, for code that runs inside a test class extended with this extension
   * (its {@code @BeforeAll} already started it).
   */
  public static ControlPlane plane() {
    ControlPlane plane = current;
    if (plane == null) {
      throw new IllegalStateException(
          "no control plane: the test class needs @ExtendWith(RealApiServer.class)");
    }
    return plane;
  }

  /** The JVM's control plane, started if it is not yet. */
  public static ControlPlane shared(ExtensionContext context) {
    Holder holder =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(Holder.class, k -> new Holder(), Holder.class);
    return holder.get();
  }

  /** Starts the control plane once; closed with the root context (end of the test run). */
  private static final class Holder implements AutoCloseable {
    private ControlPlane plane;
    private RuntimeException failure;

    synchronized ControlPlane get() {
      if (plane != null) {
        return plane;
      }
      if (failure != null) {
        throw failure;
      }
      Assumptions.assumeTrue(
          RepoRoot.find().isPresent(),
          "a real Kubernetes control plane needs the fastvm repository around the tests"
              + " (dev/kube/up)");
      try {
        Path repo = RepoRoot.find().orElseThrow();
        ControlPlane.build(repo);
        // A module's tests may ask for other options of dev/kube/up, e.g. the operator's for
        // --no-scheduler (its fake kubelet schedules).
        String options = System.getProperty("test.fastvm.kube.options", "").strip();
        plane =
            ControlPlane.start(
                repo,
                Path.of(System.getProperty("java.io.tmpdir"), "fastvm-kube"),
                options.isEmpty() ? List.of() : List.of(options.split("\\s+")));
        current = plane;
        return plane;
      } catch (org.opentest4j.TestAbortedException e) {
        throw e;
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        failure = new IllegalStateException("the test control plane did not start: " + e, e);
        throw failure;
      }
    }

    @Override
    public synchronized void close() throws Exception {
      if (plane != null) {
        plane.close();
      }
    }
  }
}
