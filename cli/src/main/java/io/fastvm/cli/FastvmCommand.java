package io.fastvm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fastvm}: the command line (also usable as the kubectl plugin {@code kubectl fastvm}). */
@Command(
    name = "fastvm",
    mixinStandardHelpOptions = true,
    version = "fastvm 0.1.0",
    description = "Virtual machines as bare QEMU pods: runs them locally, opens their consoles.",
    subcommands = {RunCommand.class, DemoGuestCommand.class, ConsoleCommand.class})
public final class FastvmCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FastvmCommand()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }
}
