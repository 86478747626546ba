package io.fastvm.node.qemu;

import io.fastvm.api.v1alpha1.Accelerator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The accelerator and CPU model a VM runs with, and why. {@code auto} takes KVM only when {@link
 * KvmProbe} proves it runs guest code; otherwise TCG. An unset CPU model becomes {@code host} with
 * KVM and {@code max} with TCG. {@code host} needs KVM: with {@code auto} it falls back to {@code
 * max} (with a note), with {@code tcg} it is an error.
 */
public record AcceleratorChoice(AcceleratorKind kind, String cpuModel, String reason) {

  public static AcceleratorChoice decide(
      Accelerator requested,
      String cpuModel,
      Supplier<KvmProbe.Result> probe,
      List<String> problems) {
    Accelerator wanted = requested == null ? Accelerator.AUTO : requested;
    boolean wantsHost = "host".equals(cpuModel);
    switch (wanted) {
      case TCG -> {
        if (wantsHost) {
          problems.add(
              "cpu.model host needs KVM, but accelerator is tcg: choose another model (e.g. max)"
                  + " or accelerator auto");
        }
        return new AcceleratorChoice(
            AcceleratorKind.TCG, cpuModel == null ? "max" : cpuModel, "tcg requested");
      }
      case KVM -> {
        KvmProbe.Result result = probe.get();
        if (!result.works()) {
          problems.add(
              "accelerator kvm: KVM does not work on this host ("
                  + result.reason()
                  + "); use accelerator auto or tcg");
        }
        return new AcceleratorChoice(
            AcceleratorKind.KVM,
            cpuModel == null ? "host" : cpuModel,
            "kvm requested; " + describe(result));
      }
      default -> {
        KvmProbe.Result result = probe.get();
        if (result.works()) {
          return new AcceleratorChoice(
              AcceleratorKind.KVM,
              cpuModel == null ? "host" : cpuModel,
              "auto: " + describe(result));
        }
        String model = cpuModel == null || wantsHost ? "max" : cpuModel;
        String reason = "auto: KVM unusable (" + describe(result) + ")";
        if (wantsHost) {
          reason += "; cpu.model host needs KVM, using max instead";
        }
        return new AcceleratorChoice(AcceleratorKind.TCG, model, reason);
      }
    }
  }

  private static String describe(KvmProbe.Result result) {
    return result.reason() + (result.cached() ? ", cached for this host boot" : "");
  }
}
