package io.fastvm.operator.cloudinit;

import io.fabric8.kubernetes.api.model.Secret;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.CloudInitConfigSpec;
import io.fastvm.api.v1alpha1.GuestUser;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The one informer a CloudInitConfig reconcile reads: Secrets. Those a config's users' passwords
 * refer to (found through an index of the configs by the Secret names they name, so a password
 * changed or a Secret created later renders the seed again at once) and the config's own Secret (by
 * owner reference). Users' Secrets carry no label of ours, so this caches the Secrets of the
 * watched namespaces.
 */
public record CloudInitEventSources(InformerEventSource<Secret, CloudInitConfig> secrets) {

  static final String PASSWORD_INDEX = "fastvm.io/password-secrets";

  public List<EventSource<?, CloudInitConfig>> all() {
    return List.of(secrets);
  }

  static CloudInitEventSources create(EventSourceContext<CloudInitConfig> context) {
    var configs = context.getPrimaryCache();
    configs.addIndexer(
        PASSWORD_INDEX,
        config ->
            passwordSecrets(config.getSpec()).stream()
                .map(name -> key(config.getMetadata().getNamespace(), name))
                .toList());
    return new CloudInitEventSources(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Secret.class, CloudInitConfig.class)
                .withName("cloud-init-secrets")
                .withSecondaryToPrimaryMapper(
                    (Secret secret) -> {
                      Set<ResourceID> concerned = new HashSet<>();
                      secret.getMetadata().getOwnerReferences().stream()
                          .filter(r -> "CloudInitConfig".equals(r.getKind()))
                          .forEach(
                              r ->
                                  concerned.add(
                                      new ResourceID(
                                          r.getName(), secret.getMetadata().getNamespace())));
                      configs
                          .byIndex(
                              PASSWORD_INDEX,
                              key(
                                  secret.getMetadata().getNamespace(),
                                  secret.getMetadata().getName()))
                          .forEach(c -> concerned.add(ResourceID.fromResource(c)));
                      return concerned;
                    })
                .build(),
            context));
  }

  /** The names of the Secrets a spec's passwords come from. */
  static Set<String> passwordSecrets(CloudInitConfigSpec spec) {
    if (spec == null || spec.users() == null) {
      return Set.of();
    }
    Set<String> names = new HashSet<>();
    spec.users().stream()
        .map(GuestUser::passwordSecretRef)
        .filter(Objects::nonNull)
        .forEach(ref -> names.add(ref.name()));
    return names;
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
