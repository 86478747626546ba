package io.fastvm.node.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The device plugin API this module is built from is the kubelet's own: the vendored api.proto is
 * the one in the k8s.io/kubelet module of the version it names (the Kubernetes that dev/kube
 * builds), apart from its header and the java_* options. Reads the module from the Go module cache
 * dev/kube/build fills; skips, saying so, where that build has not run.
 */
class DevicePluginProtoTest {
  static final Path VENDORED = Path.of("src/main/protobuf/k8s/deviceplugin/v1beta1/api.proto");
  static final Pattern VERSION = Pattern.compile("from k8s\\.io/kubelet (v[0-9.]+)");

  @Test
  void theVendoredProtoIsTheKubeletsOwn() throws Exception {
    List<String> vendored = Files.readAllLines(VENDORED);
    Matcher version = VERSION.matcher(vendored.get(0));
    assertThat(version.find()).as("the header names the module version").isTrue();
    Path cache =
        Path.of(
            System.getenv()
                .getOrDefault(
                    "FASTVM_CACHE",
                    Path.of(System.getProperty("user.home"), ".cache", "fastvm").toString()));
    Path original =
        cache.resolve(
            "go/mod/k8s.io/kubelet@"
                + version.group(1)
                + "/pkg/apis/deviceplugin/v1beta1/api.proto");
    Assumptions.assumeTrue(
        Files.isRegularFile(original),
        "skipped: no " + original + " (dev/kube/build downloads the Kubernetes modules)");
    List<String> body =
        vendored.stream()
            .dropWhile(line -> line.startsWith("// ") && !line.startsWith("// To regenerate"))
            .filter(line -> !line.startsWith("option java_"))
            .toList();
    assertThat(body).isEqualTo(Files.readAllLines(original));
  }
}
