package io.fastvm.operator.config;

import io.fastvm.operator.console.ConsoleTlsSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The {@code fastvm.*} keys of application.properties; documented in docs/operator.md. */
@ConfigMapping(prefix = "fastvm")
public interface FastvmConfig {

  NodeAgent nodeAgent();

  Pod pod();

  State state();

  Restart restart();

  Console console();

  /** How long a VM pod may be Unknown (node lost) before it is force-deleted; 0 never. */
  @WithDefault("5m")
  Duration nodeLostTimeout();

  interface NodeAgent {
    /** The node-agent image: its launcher runs every VM pod. */
    @WithDefault(OperatorSettings.DEFAULT_IMAGE)
    String image();

    @WithDefault("IfNotPresent")
    String imagePullPolicy();
  }

  interface Pod {
    /** Request devices.fastvm.io/kvm for accelerator auto (off for clusters without KVM). */
    @WithDefault("true")
    boolean requestKvmForAuto();

    @WithDefault("1000")
    int cpuMillisPerVcpu();

    @WithDefault("false")
    boolean cpuLimits();

    @WithDefault("false")
    boolean memoryLimits();

    @WithDefault("15")
    long gracePeriodMarginSeconds();

    Overhead overhead();
  }

  interface Overhead {
    @WithDefault("64")
    int launcherMib();

    @WithDefault("96")
    int qemuBaseMib();

    @WithDefault("8")
    int perVcpuMib();

    @WithDefault("512")
    int pageTableDivisor();

    @WithDefault("8")
    int uefiMib();

    @WithDefault("16")
    int tpmMib();

    @WithDefault("64")
    int tcgMib();
  }

  interface State {
    Optional<String> storageClass();

    @WithDefault("64Mi")
    String size();
  }

  interface Restart {
    @WithDefault("10s")
    Duration backoffInitial();

    @WithDefault("5m")
    Duration backoffMax();

    @WithDefault("10m")
    Duration backoffResetAfter();
  }

  interface Console {
    /** Namespace of the console CA and proxy Secrets; unset: POD_NAMESPACE, the client's. */
    Optional<String> namespace();

    @WithDefault("30d")
    Duration certificateValidity();

    @WithDefault("10d")
    Duration renewBefore();
  }

  default ConsoleTlsSettings consoleTls() {
    ConsoleTlsSettings defaults = ConsoleTlsSettings.defaults();
    return new ConsoleTlsSettings(
        console().namespace().orElse(null),
        defaults.caValidity(),
        console().certificateValidity(),
        console().renewBefore());
  }

  default OperatorSettings settings() {
    Overhead o = pod().overhead();
    return new OperatorSettings(
        nodeAgent().image(),
        nodeAgent().imagePullPolicy(),
        pod().requestKvmForAuto(),
        pod().cpuMillisPerVcpu(),
        pod().cpuLimits(),
        pod().memoryLimits(),
        new MemoryOverhead(
            o.launcherMib(),
            o.qemuBaseMib(),
            o.perVcpuMib(),
            o.pageTableDivisor(),
            o.uefiMib(),
            o.tpmMib(),
            o.tcgMib()),
        state().storageClass().orElse(null),
        state().size(),
        restart().backoffInitial(),
        restart().backoffMax(),
        restart().backoffResetAfter(),
        nodeLostTimeout(),
        pod().gracePeriodMarginSeconds());
  }
}
