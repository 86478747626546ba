package io.fastvm.api.v1alpha1;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a list as a Kubernetes associative list ({@code x-kubernetes-list-type: map}) keyed by the
 * given fields: the API server then refuses duplicate keys, and server-side apply and GitOps tools
 * merge items by key instead of replacing the whole list. Applied to the CRD when it is generated.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({
  ElementType.FIELD,
  ElementType.METHOD,
  ElementType.PARAMETER,
  ElementType.RECORD_COMPONENT
})
public @interface ListMapKeys {
  /** Key fields; each must be required or have a default. */
  String[] value();
}
