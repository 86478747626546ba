package io.fastvm.node.launcher;

import io.fastvm.contract.LauncherInvocation;
import java.util.List;
import sun.misc.Signal;

/** {@code fastvm-launcher}: the main process of a VM pod. */
public final class LauncherMain {
  private LauncherMain() {}

  public static void main(String[] args) {
    System.exit(run(List.of(args), Launcher.Settings.pod()));
  }

  /** Parses the arguments, runs the VM with SIGTERM and SIGINT turned into stop requests. */
  public static int run(List<String> args, Launcher.Settings settings) {
    if (args.contains("--help") || args.contains("-h")) {
      settings.log().print(LauncherInvocation.usage());
      return 0;
    }
    LauncherInvocation invocation;
    try {
      invocation = LauncherInvocation.parse(args);
    } catch (IllegalArgumentException e) {
      settings.log().println("fastvm: " + e.getMessage());
      return LauncherInvocation.ExitCode.INVALID;
    }
    return runInvocation(invocation, settings);
  }

  public static int runInvocation(LauncherInvocation invocation, Launcher.Settings settings) {
    Launcher launcher = new Launcher(invocation, settings, HostTools.fromEnvironment());
    if (settings.printQemuCommand()) {
      return launcher.run();
    }
    // Replacing the JVM's handlers keeps it from starting shutdown: the launcher decides when to
    // exit, after the guest powered off.
    Signal.handle(new Signal("TERM"), s -> launcher.requestStop());
    Signal.handle(new Signal("INT"), s -> launcher.requestStop());
    return launcher.run();
  }
}
