package io.fastvm.console.auth;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.VirtualMachine;

/**
 * Asks the API server whether a user may open a VM's console: verb {@code get} on the subresource
 * {@code virtualmachines/console} of group {@code fastvm.io}, for that VM in its namespace. Used at
 * mint time and periodically for open sessions, so revoking the RoleBinding ends them. Blocking.
 */
public final class Authorizer {
  public static final String RESOURCE = "virtualmachines";
  public static final String SUBRESOURCE = "console";
  public static final String VERB = "get";

  private final KubernetesClient client;

  public Authorizer(KubernetesClient client) {
    this.client = client;
  }

  public boolean mayOpenConsole(UserInfo user, String namespace, String vm) {
    SubjectAccessReview review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(user.username())
            .withUid(user.uid())
            .withGroups(user.groups())
            .withExtra(user.extra())
            .withNewResourceAttributes()
            .withGroup(VirtualMachine.GROUP)
            .withResource(RESOURCE)
            .withSubresource(SUBRESOURCE)
            .withVerb(VERB)
            .withNamespace(namespace)
            .withName(vm)
            .endResourceAttributes()
            .endSpec()
            .build();
    SubjectAccessReview answer = client.authorization().v1().subjectAccessReview().create(review);
    return answer.getStatus() != null
        && Boolean.TRUE.equals(answer.getStatus().getAllowed())
        && !Boolean.TRUE.equals(answer.getStatus().getDenied());
  }
}
