package io.fastvm.console.testing;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfoBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VmPhase;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A Kubernetes API for tests: the fabric8 mock API server in CRUD mode (VMs, pods, Secrets are
 * stored as sent) with TokenReview and SubjectAccessReview answered from this class's tables, the
 * way a real API server would answer them for the users and RoleBindings a test sets up.
 *
 * <p>A SubjectAccessReview is allowed only as the Role in docs/console.md grants it: verb {@code
 * get} on {@code virtualmachines/console} in group {@code fastvm.io}, for the granted namespace and
 * VM name, asked for the user (name, uid and groups) the TokenReview returned. These are literals
 * here on purpose, not the proxy's constants: a proxy asking about anything else is refused, so a
 * wrong resource or subresource fails the tests instead of passing them.
 */
public final class MockCluster implements AutoCloseable {
  public final KubernetesMockServer server;
  public final KubernetesClient client;
  private final Map<String, String> users = new ConcurrentHashMap<>();
  private final Set<String> grants = ConcurrentHashMap.newKeySet();
  private final List<JsonObject> subjectAccessReviews = new ArrayList<>();

  public MockCluster() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    server
        .expect()
        .post()
        .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
        .andReply(201, request -> tokenReview(request.getUtf8Body()))
        .always();
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews")
        .andReply(201, request -> subjectAccessReview(request.getUtf8Body()))
        .always();
  }

  /** A user the API server knows by this bearer token. */
  public void user(String token, String username) {
    users.put(token, username);
  }

  /** Lets {@code username} open the console of {@code namespace/vm} (a RoleBinding). */
  public void grant(String username, String namespace, String vm) {
    grants.add(username + " " + namespace + "/" + vm);
  }

  public void revoke(String username, String namespace, String vm) {
    grants.remove(username + " " + namespace + "/" + vm);
  }

  private TokenReview tokenReview(String body) {
    TokenReview review = Serialization.unmarshal(body, TokenReview.class);
    String username = users.get(review.getSpec().getToken());
    review.setStatus(
        username == null
            ? new TokenReviewStatusBuilder().withAuthenticated(false).withError("invalid").build()
            : new TokenReviewStatusBuilder()
                .withAuthenticated(true)
                .withUser(
                    new UserInfoBuilder()
                        .withUsername(username)
                        .withUid("uid-" + username)
                        .withGroups(List.of("system:authenticated", "students"))
                        .build())
                .build());
    return review;
  }

  /** The SubjectAccessReviews received so far, as sent (JSON), oldest first. */
  public List<JsonObject> subjectAccessReviews() {
    synchronized (subjectAccessReviews) {
      return List.copyOf(subjectAccessReviews);
    }
  }

  /** How many SubjectAccessReviews so far asked about {@code username}. */
  public long subjectAccessReviewsFor(String username) {
    return subjectAccessReviews().stream().filter(r -> username.equals(reviewedUser(r))).count();
  }

  /**
   * Waits until the SubjectAccessReviews received so far satisfy {@code condition} (checked on
   * every new one), failing after {@code timeout}.
   */
  public List<JsonObject> awaitSubjectAccessReviews(
      Duration timeout, Predicate<List<JsonObject>> condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (subjectAccessReviews) {
      while (!condition.test(List.copyOf(subjectAccessReviews))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "the SubjectAccessReviews did not get there within "
                  + timeout
                  + "; received: "
                  + subjectAccessReviews);
        }
        subjectAccessReviews.wait(Math.max(1, left / 1_000_000));
      }
      return List.copyOf(subjectAccessReviews);
    }
  }

  private static String reviewedUser(JsonObject review) {
    JsonObject spec = review.getJsonObject("spec");
    return spec == null ? null : spec.getString("user");
  }

  private SubjectAccessReview subjectAccessReview(String body) {
    synchronized (subjectAccessReviews) {
      subjectAccessReviews.add(new JsonObject(body));
      subjectAccessReviews.notifyAll();
    }
    SubjectAccessReview review = Serialization.unmarshal(body, SubjectAccessReview.class);
    var spec = review.getSpec();
    var attributes = spec.getResourceAttributes();
    String user = spec.getUser();
    boolean allowed =
        attributes != null
            && spec.getNonResourceAttributes() == null
            && user != null
            && users.containsValue(user)
            && ("uid-" + user).equals(spec.getUid())
            && List.of("system:authenticated", "students").equals(spec.getGroups())
            && "fastvm.io".equals(attributes.getGroup())
            && "virtualmachines".equals(attributes.getResource())
            && "console".equals(attributes.getSubresource())
            && "get".equals(attributes.getVerb())
            && attributes.getNamespace() != null
            && attributes.getName() != null
            && grants.contains(user + " " + attributes.getNamespace() + "/" + attributes.getName());
    review.setStatus(
        new SubjectAccessReviewStatusBuilder()
            .withAllowed(allowed)
            .withReason(allowed ? "RoleBinding console-users" : "no RBAC policy matched")
            .build());
    return review;
  }

  /** A running VM with its pod at {@code podIp}. */
  public VirtualMachine runningVm(String namespace, String name, String podIp, boolean spice) {
    return RunningVms.create(client, namespace, name, podIp, spice);
  }

  /** The VM stops: the operator marks it Stopped and its pod goes away. */
  public void stopVm(String namespace, String name) {
    VirtualMachine vm =
        client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).get();
    String podName = vm.getStatus().podName();
    vm.setStatus(RunningVms.status(PrintableStatus.STOPPED, VmPhase.STOPPED, null));
    client.resource(vm).updateStatus();
    client.pods().inNamespace(namespace).withName(podName).delete();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
