package io.fastvm.operator.quarkus;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Prepares Quarkus' mock API server (CRUD mode; no real API server can run here) before the
 * application starts: installs the committed CRDs from the crds jar and makes its merge patches
 * replace arrays as RFC 7386 says.
 */
public class CommittedCrds implements Consumer<KubernetesServer> {
  @Override
  public void accept(KubernetesServer server) {
    Serialization.jsonMapper().configOverride(ArrayNode.class).setMergeable(false);
    for (String file :
        List.of(
            "virtualmachines.fastvm.io.yaml",
            "volumes.fastvm.io.yaml",
            "cloudinitconfigs.fastvm.io.yaml",
            "snapshots.fastvm.io.yaml")) {
      try (InputStream in = getClass().getResourceAsStream("/META-INF/fastvm/crds/" + file)) {
        CustomResourceDefinition crd =
            server
                .getClient()
                .getKubernetesSerialization()
                .unmarshal(in, CustomResourceDefinition.class);
        server.getClient().apiextensions().v1().customResourceDefinitions().resource(crd).create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
