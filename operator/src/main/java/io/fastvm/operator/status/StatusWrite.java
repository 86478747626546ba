package io.fastvm.operator.status;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Writes a reconciler's new status: the {@link StatusPatch} from the observed status, guarded by
 * the observed resourceVersion, to the status subresource. A 409 means the object changed after it
 * was observed (its watch event is on its way and reconciles it again): the status would describe
 * the old version, so it is dropped, not retried.
 */
public final class StatusWrite {
  private StatusWrite() {}

  private static final Logger LOG = Logger.getLogger(StatusWrite.class);

  /**
   * @param written the object as the API server returned it, when the status was written
   * @param conflict whether it was dropped because the object had changed
   */
  public record Outcome<T>(Optional<T> written, boolean conflict) {}

  @SuppressWarnings("unchecked")
  public static <S, T extends CustomResource<?, S>> Outcome<T> write(
      KubernetesClient client, T observed, S status) {
    Optional<String> patch =
        StatusPatch.between(
            observed.getStatus(), status, observed.getMetadata().getResourceVersion());
    if (patch.isEmpty()) {
      return new Outcome<>(Optional.empty(), false);
    }
    try {
      T written =
          client
              .resources((Class<T>) observed.getClass())
              .inNamespace(observed.getMetadata().getNamespace())
              .withName(observed.getMetadata().getName())
              .subresource("status")
              .patch(PatchContext.of(PatchType.JSON_MERGE), patch.get());
      return new Outcome<>(Optional.of(written), false);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      LOG.debugf(
          "status of %s %s/%s not written: it changed since version %s",
          observed.getKind(),
          observed.getMetadata().getNamespace(),
          observed.getMetadata().getName(),
          observed.getMetadata().getResourceVersion());
      return new Outcome<>(Optional.empty(), true);
    }
  }
}
