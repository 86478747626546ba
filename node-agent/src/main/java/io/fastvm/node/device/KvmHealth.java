package io.fastvm.node.device;

import io.fastvm.node.qemu.KvmProbe;

/**
 * KVM is healthy only when it runs guest code within the probe's timeout ({@link KvmProbe}, the
 * launcher's own probe): a {@code /dev/kvm} that exists but hangs, as under some nested
 * virtualisation, is reported unhealthy, so VMs that need KVM do not schedule on the node.
 */
public final class KvmHealth implements DeviceHealth {
  private final KvmProbe probe;

  public KvmHealth(KvmProbe probe) {
    this.probe = probe;
  }

  @Override
  public Verdict check() throws InterruptedException {
    KvmProbe.Result result = probe.run();
    return new Verdict(result.works(), result.reason());
  }
}
