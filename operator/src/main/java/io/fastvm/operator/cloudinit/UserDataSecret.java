package io.fastvm.operator.cloudinit;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.cloudinit.RenderedConfig;
import io.fastvm.operator.vm.VmMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The Secret of a CloudInitConfig: its rendered user-data and the settings each VM's seed is made
 * from ({@link RenderedConfig#toSecretData}), annotated with their hash. Owned by the config, so
 * the garbage collector deletes it with the config.
 */
public final class UserDataSecret {
  private UserDataSecret() {}

  /** On the Secret: the {@link RenderedConfig#hash} of its content. */
  public static final String HASH_ANNOTATION = "fastvm.io/seed-hash";

  public static Secret desired(CloudInitConfig config, RenderedConfig rendered) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(VmMetadata.MANAGED_BY, VmMetadata.MANAGED_BY_VALUE);
    labels.put(VmMetadata.NAME_LABEL, "fastvm");
    labels.put(VmMetadata.COMPONENT_LABEL, CloudInitNames.USER_DATA_COMPONENT);
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace(config.getMetadata().getNamespace())
        .withName(CloudInitNames.userDataSecret(config))
        .withLabels(labels)
        .withAnnotations(Map.of(HASH_ANNOTATION, rendered.hash()))
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(io.fastvm.api.v1alpha1.VirtualMachine.API_VERSION)
                .withKind("CloudInitConfig")
                .withName(config.getMetadata().getName())
                .withUid(config.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build())
        .endMetadata()
        .withType("Opaque")
        .withData(SecretText.data(rendered.toSecretData()))
        .build();
  }

  /** Whether the Secret holds exactly what {@code desired} does. */
  public static boolean holds(Secret current, Secret desired) {
    return Objects.equals(hash(current), hash(desired))
        && SecretText.of(current).equals(SecretText.of(desired));
  }

  /** The hash the Secret is annotated with, or null. */
  public static String hash(Secret secret) {
    return VmMetadata.annotation(secret, HASH_ANNOTATION).orElse(null);
  }
}
