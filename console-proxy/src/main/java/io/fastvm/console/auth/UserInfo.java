package io.fastvm.console.auth;

import java.util.List;
import java.util.Map;

/** A Kubernetes user as a TokenReview describes it; kept to re-run SubjectAccessReviews. */
public record UserInfo(
    String username, String uid, List<String> groups, Map<String, List<String>> extra) {

  public UserInfo {
    groups = groups == null ? List.of() : List.copyOf(groups);
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }
}
