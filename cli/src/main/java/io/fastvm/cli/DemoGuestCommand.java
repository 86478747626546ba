package io.fastvm.cli;

import io.fastvm.node.guest.DemoGuest;
import io.fastvm.node.guest.GuestImage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Builds the demo guest and prints the --volume flags that bind examples/local/demo.yaml. */
@Command(
    name = "demo-guest",
    description = {
      "Builds the demo VM's kernel and initramfs (cached) and prints the --volume flags for",
      "  ./fastvm run -f examples/local/demo.yaml $(./fastvm demo-guest)"
    })
final class DemoGuestCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    GuestImage guest = DemoGuest.build();
    System.out.println(
        "--volume="
            + DemoGuest.KERNEL_VOLUME
            + "="
            + guest.kernel()
            + " --volume="
            + DemoGuest.INITRD_VOLUME
            + "="
            + guest.initrd());
    return 0;
  }
}
