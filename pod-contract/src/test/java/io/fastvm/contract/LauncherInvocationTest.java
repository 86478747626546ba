package io.fastvm.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LauncherInvocationTest {

  @Test
  void podInvocationRoundTrips() {
    LauncherInvocation pod =
        new LauncherInvocation(
            List.of(
                PodLayout.MANIFESTS_DIR.resolve(PodLayout.MANIFESTS_KEY), Path.of("/extra.yaml")),
            Map.of(
                "root", PodLayout.volumeMount("root"),
                "iso", Path.of("/v/a=b,c d")),
            PodLayout.CLOUD_INIT_DIR,
            PodLayout.STATE_DIR,
            PodLayout.RUNTIME_DIR,
            "0.0.0.0",
            PodLayout.CONSOLE_TLS_DIR,
            PodLayout.TERMINATION_LOG);
    assertThat(pod.natHostPorts()).isEqualTo(HostPortMode.GUEST);
    assertThat(pod.toArgs()).noneMatch(a -> a.startsWith("--nat-host-ports"));
    assertThat(LauncherInvocation.parse(pod.toArgs())).isEqualTo(pod);
  }

  @Test
  void minimalAndLocalInvocationsRoundTrip() {
    LauncherInvocation minimal =
        new LauncherInvocation(
            List.of(Path.of("vm.yaml")),
            Map.of(),
            null,
            Path.of("state"),
            Path.of("run"),
            null,
            null,
            null);
    assertThat(minimal.toArgs())
        .containsExactly("--manifest=vm.yaml", "--state-dir=state", "--runtime-dir=run");
    assertThat(LauncherInvocation.parse(minimal.toArgs())).isEqualTo(minimal);

    LauncherInvocation local =
        new LauncherInvocation(
            List.of(Path.of("vm.yaml")),
            Map.of("iso", Path.of("/isos/debian.iso")),
            null,
            Path.of("state"),
            Path.of("run"),
            "127.0.0.1",
            null,
            null,
            HostPortMode.SERVICE);
    assertThat(local.toArgs()).contains("--nat-host-ports=service");
    assertThat(LauncherInvocation.parse(local.toArgs())).isEqualTo(local);
    assertThat(local.natBackend()).isEqualTo(NatBackend.SLIRP);

    LauncherInvocation passt = local.withNatBackend(NatBackend.PASST);
    assertThat(passt.toArgs()).contains("--nat-backend=passt");
    assertThat(LauncherInvocation.parse(passt.toArgs())).isEqualTo(passt);
  }

  @Test
  void volumeNamesCannotHoldTheSeparator() {
    assertThatThrownBy(
            () ->
                new LauncherInvocation(
                    List.of(), Map.of("a=b", Path.of("/x")), null, null, null, null, null, null))
        .hasMessageContaining("not a Volume name: a=b");
  }

  @Test
  void badArgumentsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> LauncherInvocation.parse(List.of("--state-dir=s", "--runtime-dir=r")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--manifest");
    assertThatThrownBy(
            () ->
                LauncherInvocation.parse(
                    List.of("--manifest=m", "--state-dir=s", "--runtime-dir=r", "--bogus")))
        .hasMessageContaining("--bogus");
    assertThatThrownBy(
            () ->
                LauncherInvocation.parse(
                    List.of(
                        "--manifest=m", "--state-dir=s", "--runtime-dir=r", "--nat-host-ports=x")))
        .hasMessageContaining("guest or service");
    assertThatThrownBy(
            () ->
                LauncherInvocation.parse(
                    List.of(
                        "--manifest=m", "--state-dir=s", "--runtime-dir=r", "--nat-backend=tap")))
        .hasMessageContaining("--nat-backend must be slirp or passt, not tap");
  }
}
