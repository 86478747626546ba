package io.fastvm.console.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/**
 * Turns a user's bearer token into a {@link UserInfo} with a TokenReview, so the proxy accepts
 * every kind of credential the API server does (service-account tokens, OIDC, ...). Blocking.
 */
public final class Authenticator {
  private final KubernetesClient client;

  public Authenticator(KubernetesClient client) {
    this.client = client;
  }

  /** The user, or empty when the API server does not accept the token. */
  public Optional<UserInfo> authenticate(String bearerToken) {
    TokenReview review =
        client
            .authentication()
            .v1()
            .tokenReviews()
            .create(
                new TokenReviewBuilder().withNewSpec().withToken(bearerToken).endSpec().build());
    TokenReviewStatus status = review.getStatus();
    if (status == null
        || !Boolean.TRUE.equals(status.getAuthenticated())
        || status.getUser() == null
        || status.getUser().getUsername() == null
        || status.getUser().getUsername().isEmpty()) {
      return Optional.empty();
    }
    var user = status.getUser();
    return Optional.of(
        new UserInfo(user.getUsername(), user.getUid(), user.getGroups(), user.getExtra()));
  }
}
