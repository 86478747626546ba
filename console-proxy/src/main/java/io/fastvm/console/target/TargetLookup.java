package io.fastvm.console.target;

/** What a look-up of a VM found. {@code target} is set only when the VM runs. */
public record TargetLookup(State state, VmTarget target, String detail) {

  public enum State {
    RUNNING,
    NOT_FOUND,
    NOT_RUNNING
  }

  public static TargetLookup running(VmTarget target) {
    return new TargetLookup(State.RUNNING, target, "running");
  }

  public static TargetLookup notFound(String detail) {
    return new TargetLookup(State.NOT_FOUND, null, detail);
  }

  public static TargetLookup notRunning(String detail) {
    return new TargetLookup(State.NOT_RUNNING, null, detail);
  }

  public boolean running() {
    return state == State.RUNNING;
  }
}
