package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What {@code kubectl get} shows in the Status column of a VirtualMachine. */
public enum PrintableStatus {
  @JsonProperty("Stopped")
  STOPPED,
  @JsonProperty("Provisioning")
  PROVISIONING,
  @JsonProperty("WaitingForVolumes")
  WAITING_FOR_VOLUMES,
  @JsonProperty("Starting")
  STARTING,
  @JsonProperty("Running")
  RUNNING,
  @JsonProperty("Stopping")
  STOPPING,
  @JsonProperty("Terminating")
  TERMINATING,
  @JsonProperty("Failed")
  FAILED,
  @JsonProperty("CrashLoopBackOff")
  CRASH_LOOP_BACK_OFF,
  @JsonProperty("ErrorUnschedulable")
  ERROR_UNSCHEDULABLE,
  @JsonProperty("ErrorInvalidSpec")
  ERROR_INVALID_SPEC,
  @JsonProperty("Unknown")
  UNKNOWN
}
