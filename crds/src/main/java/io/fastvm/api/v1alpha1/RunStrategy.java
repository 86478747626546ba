package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** When the operator keeps a VM running. Start and stop are changes of this field. */
public enum RunStrategy {
  /** Always running: restarted after any exit, also after the guest powers off. */
  @JsonProperty("Always")
  ALWAYS,
  /** Restarted only after a failure; a clean power-off stays off. */
  @JsonProperty("RerunOnFailure")
  RERUN_ON_FAILURE,
  /** Runs once; never restarted, whatever the exit. */
  @JsonProperty("Once")
  ONCE,
  /** Started and stopped only by explicit request (the start/stop annotations). */
  @JsonProperty("Manual")
  MANUAL,
  /** Not running. */
  @JsonProperty("Halted")
  HALTED
}
