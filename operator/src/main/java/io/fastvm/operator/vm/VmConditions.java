package io.fastvm.operator.vm;

import io.fastvm.operator.status.Conditions;

/** Condition types of a VirtualMachine (their shape and merging: {@link Conditions}). */
public final class VmConditions {
  private VmConditions() {}

  public static final String READY = "Ready";
  public static final String VOLUMES_READY = "VolumesReady";
  public static final String CLOUD_INIT_READY = "CloudInitReady";
  public static final String RESTART_REQUIRED = "RestartRequired";

  /** Whether the guest's qemu-guest-agent answers the node agent (from status.guest). */
  public static final String AGENT_CONNECTED = "AgentConnected";

  /** Whether the node agent on the pod's node reports (its heartbeat Lease is fresh). */
  public static final String NODE_AGENT_READY = "NodeAgentReady";

  /** Present (False) only while the pod's node stopped reporting. */
  public static final String NODE_REACHABLE = "NodeReachable";
}
