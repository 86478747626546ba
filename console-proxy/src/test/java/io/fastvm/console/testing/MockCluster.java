package io.fastvm.console.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
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
import io.fastvm.api.v1alpha1.Display;
import io.fastvm.api.v1alpha1.DisplayType;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.api.v1alpha1.VmPhase;
import io.fastvm.console.auth.Authorizer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Kubernetes API for tests: the fabric8 mock API server in CRUD mode (VMs, pods, Secrets are
 * stored as sent) with TokenReview and SubjectAccessReview answered from this class's tables, the
 * way a real API server would answer them for the users and RoleBindings a test sets up.
 */
public final class MockCluster implements AutoCloseable {
  public final KubernetesMockServer server;
  public final KubernetesClient client;
  private final Map<String, String> users = new ConcurrentHashMap<>();
  private final Set<String> grants = ConcurrentHashMap.newKeySet();
  public final AtomicInteger subjectAccessReviews = new AtomicInteger();

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

  private SubjectAccessReview subjectAccessReview(String body) {
    subjectAccessReviews.incrementAndGet();
    SubjectAccessReview review = Serialization.unmarshal(body, SubjectAccessReview.class);
    var attributes = review.getSpec().getResourceAttributes();
    boolean allowed =
        attributes != null
            && VirtualMachine.GROUP.equals(attributes.getGroup())
            && Authorizer.RESOURCE.equals(attributes.getResource())
            && Authorizer.SUBRESOURCE.equals(attributes.getSubresource())
            && Authorizer.VERB.equals(attributes.getVerb())
            && grants.contains(
                review.getSpec().getUser()
                    + " "
                    + attributes.getNamespace()
                    + "/"
                    + attributes.getName());
    review.setStatus(
        new SubjectAccessReviewStatusBuilder()
            .withAllowed(allowed)
            .withReason(allowed ? "RoleBinding console-users" : "no RBAC policy matched")
            .build());
    return review;
  }

  /** A running VM with its pod at {@code podIp}. */
  public VirtualMachine runningVm(String namespace, String name, String podIp, boolean spice) {
    String uid = UUID.randomUUID().toString();
    VirtualMachine vm =
        new VirtualMachine(
            namespace,
            name,
            new VirtualMachineSpec(
                null,
                null,
                "256Mi",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                new Display(DisplayType.VGA, null, true, spice),
                null,
                null,
                null,
                null,
                null,
                null));
    vm.getMetadata().setUid(uid);
    String podName = "virt-launcher-" + name + "-" + uid.substring(0, 5);
    vm.setStatus(status(PrintableStatus.RUNNING, VmPhase.RUNNING, podName));
    VirtualMachine created = client.resource(vm).create();
    if (created.getStatus() == null) {
      created.setStatus(vm.getStatus());
      created = client.resource(created).updateStatus();
    }
    Pod pod =
        new PodBuilder()
            .withMetadata(
                new ObjectMetaBuilder()
                    .withNamespace(namespace)
                    .withName(podName)
                    .withOwnerReferences(
                        new OwnerReferenceBuilder()
                            .withApiVersion(VirtualMachine.API_VERSION)
                            .withKind("VirtualMachine")
                            .withName(name)
                            .withUid(created.getMetadata().getUid())
                            .withController(true)
                            .build())
                    .build())
            .withNewStatus()
            .withPhase("Running")
            .withPodIP(podIp)
            .endStatus()
            .build();
    client.resource(pod).create();
    return created;
  }

  /** The VM stops: the operator marks it Stopped and its pod goes away. */
  public void stopVm(String namespace, String name) {
    VirtualMachine vm =
        client.resources(VirtualMachine.class).inNamespace(namespace).withName(name).get();
    String podName = vm.getStatus().podName();
    vm.setStatus(status(PrintableStatus.STOPPED, VmPhase.STOPPED, null));
    client.resource(vm).updateStatus();
    client.pods().inNamespace(namespace).withName(podName).delete();
  }

  private static VirtualMachineStatus status(
      PrintableStatus printable, VmPhase phase, String podName) {
    return new VirtualMachineStatus(
        phase, printable, null, "node-1", podName, null, null, 1, null, null, null, 1L);
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
