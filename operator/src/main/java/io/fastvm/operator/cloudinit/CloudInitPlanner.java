package io.fastvm.operator.cloudinit;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.CloudInitConfigStatus;
import io.fastvm.api.v1alpha1.CloudInitPhase;
import io.fastvm.api.v1alpha1.GuestUser;
import io.fastvm.cloudinit.NoCloudRenderer;
import io.fastvm.cloudinit.RenderedConfig;
import io.fastvm.cloudinit.SeedProblem;
import io.fastvm.cloudinit.SeedValidator;
import io.fastvm.operator.secret.SecretUpsert;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.status.PlannedEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides a CloudInitConfig from what is observed, without I/O: read the password Secrets, render
 * the user-data, validate it (and the network-config it implies) before any VM boots with it, write
 * it to the config's Secret, and say so in the status. A config that turns invalid keeps its last
 * good Secret (VMs running with it lose nothing) but is no longer Ready, so no VM starts with it
 * until it is fixed.
 */
public final class CloudInitPlanner {
  private CloudInitPlanner() {}

  /** The MAC the network-config is validated with: each VM's seed matches its own NICs' MACs. */
  static final String PREVIEW_MAC = "52:54:00:00:00:00";

  /** Why the config is not Ready: a reason of {@link CloudInitConditions} and a message. */
  private record NotReady(CloudInitPhase phase, String reason, String message) {}

  public static CloudInitPlan plan(CloudInitObserved observed) {
    CloudInitConfig config = observed.config();
    List<PlannedEvent> events = new ArrayList<>();
    Map<String, Map<String, String>> passwords = new LinkedHashMap<>();
    Optional<NotReady> notReady = passwords(observed, passwords);
    RenderedConfig rendered = null;
    if (notReady.isEmpty()) {
      rendered =
          NoCloudRenderer.config(
              config.getSpec(),
              config.getMetadata().getNamespace(),
              config.getMetadata().getName(),
              passwords);
      notReady = validate(config.getSpec(), rendered);
    }
    Optional<Secret> write = Optional.empty();
    if (notReady.isEmpty()) {
      Secret desired = UserDataSecret.desired(config, rendered);
      notReady = foreignSecret(observed);
      if (notReady.isEmpty()
          && observed.userData().map(s -> !UserDataSecret.holds(s, desired)).orElse(true)) {
        write = Optional.of(desired);
      }
    }
    CloudInitConfigStatus status =
        notReady.isPresent()
            ? notReadyStatus(observed, notReady.get())
            : readyStatus(observed, rendered);
    events.addAll(transitionEvents(config.getStatus(), status, notReady));
    return new CloudInitPlan(write, status, events);
  }

  // --- the password Secrets --------------------------------------------------------------------

  /** Fills {@code passwords} with the referenced Secrets' text, or says which one is missing. */
  private static Optional<NotReady> passwords(
      CloudInitObserved observed, Map<String, Map<String, String>> passwords) {
    List<GuestUser> users = observed.config().getSpec().users();
    if (users == null) {
      return Optional.empty();
    }
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      var ref = users.get(i).passwordSecretRef();
      if (ref == null) {
        continue;
      }
      String key = ref.key() != null ? ref.key() : "password";
      String field = "spec.users[" + i + "].passwordSecretRef";
      Secret secret = observed.passwordSecrets().get(ref.name());
      if (secret == null) {
        missing.add(field + ": Secret " + ref.name() + " does not exist");
        continue;
      }
      Map<String, String> text = SecretText.of(secret);
      String value = text.get(key);
      if (value == null || value.isEmpty()) {
        missing.add(
            field
                + ": Secret "
                + ref.name()
                + " has no key "
                + key
                + (text.isEmpty() ? "" : " (it has " + String.join(", ", text.keySet()) + ")"));
        continue;
      }
      passwords.put(ref.name(), text);
    }
    return missing.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new NotReady(
                CloudInitPhase.PENDING,
                CloudInitConditions.SECRET_NOT_FOUND,
                String.join("; ", missing)));
  }

  // --- validation ------------------------------------------------------------------------------

  private static Optional<NotReady> validate(CloudInitConfigSpec spec, RenderedConfig rendered) {
    String network =
        NoCloudRenderer.seed(rendered, "preview", "preview", List.of(PREVIEW_MAC)).networkConfig();
    List<SeedProblem> problems = SeedValidator.check(spec, rendered.userData(), network);
    if (problems.isEmpty()) {
      return Optional.empty();
    }
    List<String> described = problems.stream().map(SeedProblem::describe).toList();
    int shown = Math.min(described.size(), 10);
    String message =
        String.join("; ", described.subList(0, shown))
            + (described.size() > shown ? "; and " + (described.size() - shown) + " more" : "");
    return Optional.of(new NotReady(CloudInitPhase.FAILED, CloudInitConditions.INVALID, message));
  }

  /** A Secret of someone else's under the config's Secret name: never overwritten. */
  private static Optional<NotReady> foreignSecret(CloudInitObserved observed) {
    return observed
        .userData()
        .filter(s -> !SecretUpsert.managed(s))
        .map(
            s ->
                new NotReady(
                    CloudInitPhase.FAILED,
                    "SecretConflict",
                    "Secret "
                        + s.getMetadata().getName()
                        + " exists but is not managed by fastvm; delete or rename it"));
  }

  // --- status and events -----------------------------------------------------------------------

  private static CloudInitConfigStatus readyStatus(
      CloudInitObserved observed, RenderedConfig rendered) {
    CloudInitConfig config = observed.config();
    return new CloudInitConfigStatus(
        CloudInitPhase.READY,
        CloudInitNames.userDataSecret(config),
        rendered.hash(),
        conditions(
            observed,
            new Conditions.Wanted(
                CloudInitConditions.READY,
                true,
                CloudInitConditions.RENDERED,
                "rendered and validated into Secret " + CloudInitNames.userDataSecret(config))),
        config.getMetadata().getGeneration());
  }

  /** Not Ready; the last good Secret and hash stay named, since running VMs still use them. */
  private static CloudInitConfigStatus notReadyStatus(
      CloudInitObserved observed, NotReady notReady) {
    CloudInitConfig config = observed.config();
    CloudInitConfigStatus old = config.getStatus();
    return new CloudInitConfigStatus(
        notReady.phase(),
        old == null ? null : old.secretName(),
        old == null ? null : old.seedHash(),
        conditions(
            observed,
            new Conditions.Wanted(
                CloudInitConditions.READY, false, notReady.reason(), notReady.message())),
        config.getMetadata().getGeneration());
  }

  private static List<Condition> conditions(CloudInitObserved observed, Conditions.Wanted ready) {
    CloudInitConfigStatus old = observed.config().getStatus();
    return Conditions.merge(
        old == null ? null : old.conditions(),
        List.of(ready),
        observed.now(),
        observed.config().getMetadata().getGeneration());
  }

  /** An event when readiness, its reason or message, or the rendered seed changes. */
  private static List<PlannedEvent> transitionEvents(
      CloudInitConfigStatus old, CloudInitConfigStatus now, Optional<NotReady> notReady) {
    Condition before =
        old == null
            ? null
            : Conditions.find(old.conditions(), CloudInitConditions.READY).orElse(null);
    Condition after = Conditions.find(now.conditions(), CloudInitConditions.READY).orElseThrow();
    boolean same =
        before != null
            && Objects.equals(before.getStatus(), after.getStatus())
            && Objects.equals(before.getReason(), after.getReason())
            && Objects.equals(before.getMessage(), after.getMessage())
            && Objects.equals(old.seedHash(), now.seedHash());
    if (same) {
      return List.of();
    }
    if (notReady.isPresent()) {
      return List.of(PlannedEvent.warning(notReady.get().reason(), notReady.get().message()));
    }
    return List.of(PlannedEvent.normal(CloudInitConditions.RENDERED, after.getMessage()));
  }
}
