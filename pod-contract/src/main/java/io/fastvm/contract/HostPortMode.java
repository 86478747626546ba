package io.fastvm.contract;

/**
 * Which host port a forwarded guest port listens on. In a pod the Service maps {@code servicePort}
 * to the pod's {@code port}, so the pod listens on the guest port; locally there is no Service, so
 * {@code fastvm run} listens on {@code servicePort} directly.
 */
public enum HostPortMode {
  /** Host port = guest {@code port} (VM pods; the default). */
  GUEST,
  /** Host port = {@code servicePort}, else {@code port} ({@code fastvm run}). */
  SERVICE
}
