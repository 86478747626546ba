package io.fastvm.operator.secret;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.operator.vm.VmJson;
import io.fastvm.operator.vm.VmMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** How the operator writes the Secrets it makes (console certificates, cloud-init seeds). */
public final class SecretUpsert {
  private SecretUpsert() {}

  /**
   * {@link #upsert(KubernetesClient, Secret, Secret)} against the Secret in {@code cache}, which
   * then holds what was written, so the next reconcile sees it even before its watch event.
   */
  public static <P extends HasMetadata> Secret upsert(
      KubernetesClient client, Secret desired, InformerEventSource<Secret, P> cache) {
    ResourceID id = ResourceID.fromResource(desired);
    Optional<Secret> current = cache.get(id);
    Secret written = upsert(client, desired, current.orElse(null));
    if (current.isEmpty()) {
      cache.handleRecentResourceCreate(id, written);
    } else {
      cache.handleRecentResourceUpdate(id, written, current.get());
    }
    return written;
  }

  /**
   * Creates {@code desired}, or merge-patches its labels and data into {@code current}: a plain
   * create or patch, never apply, so a Secret of someone else's is refused rather than taken over.
   */
  public static Secret upsert(KubernetesClient client, Secret desired, Secret current) {
    String ns = desired.getMetadata().getNamespace();
    String name = desired.getMetadata().getName();
    if (current == null) {
      try {
        return client.secrets().inNamespace(ns).resource(desired).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        current = client.secrets().inNamespace(ns).withName(name).get();
      }
    }
    if (current != null && !managed(current)) {
      // A Secret of someone else's under that name: never overwrite it.
      throw new KubernetesClientException(
          "Secret "
              + ns
              + "/"
              + name
              + " exists but is not managed by fastvm (label "
              + VmMetadata.MANAGED_SELECTOR
              + "); delete or rename it",
          409,
          null);
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("labels", desired.getMetadata().getLabels());
    if (desired.getMetadata().getAnnotations() != null) {
      metadata.put("annotations", desired.getMetadata().getAnnotations());
    }
    if (desired.getMetadata().getOwnerReferences() != null) {
      metadata.put("ownerReferences", desired.getMetadata().getOwnerReferences());
    }
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("metadata", metadata);
    // Keys that are no longer wanted go (null deletes them in a merge patch).
    Map<String, Object> data = new LinkedHashMap<>();
    if (current != null && current.getData() != null) {
      current.getData().keySet().forEach(key -> data.put(key, null));
    }
    data.putAll(desired.getData());
    patch.put("data", data);
    return client
        .secrets()
        .inNamespace(ns)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), VmJson.json(patch));
  }

  /** Whether the operator made it (labelled as the operator's). */
  public static boolean managed(Secret secret) {
    Map<String, String> labels = secret.getMetadata().getLabels();
    return labels != null && VmMetadata.MANAGED_BY_VALUE.equals(labels.get(VmMetadata.MANAGED_BY));
  }
}
