package io.fastvm.cloudinit;

/**
 * A problem found in a CloudInitConfig before any VM boots with it.
 *
 * @param field the spec field, e.g. "spec.users[0].sshAuthorizedKeys[1]", "spec.userData",
 *     "spec.network.address"
 * @param line 1-based line within spec.userData, or null
 * @param message what is wrong and what is allowed
 */
public record SeedProblem(String field, Integer line, String message) {

  /** "spec.userData line 3: ..." / "spec.users[0].sshAuthorizedKeys[1]: ..." */
  public String describe() {
    return field + (line == null ? "" : " line " + line) + ": " + message;
  }
}
