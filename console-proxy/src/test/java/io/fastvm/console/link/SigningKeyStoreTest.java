package io.fastvm.console.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import io.fabric8.kubernetes.api.model.Secret;
import io.fastvm.console.testing.MockCluster;
import org.junit.jupiter.api.Test;

/** Keeping the signing key in a Secret, against the fabric8 mock API server. */
class SigningKeyStoreTest {
  @Test
  void theKeyIsCreatedOnceAndReadBackByLaterStarts() {
    try (MockCluster cluster = new MockCluster()) {
      ECKey first = new SigningKeyStore(cluster.client, "fastvm-system", "key").loadOrCreate();
      ECKey again = new SigningKeyStore(cluster.client, "fastvm-system", "key").loadOrCreate();
      assertThat(again.toJSONString()).isEqualTo(first.toJSONString());
      assertThat(first.isPrivate()).isTrue();
      Secret secret = cluster.client.secrets().inNamespace("fastvm-system").withName("key").get();
      assertThat(secret.getData()).containsKey(SigningKeyStore.KEY);
      assertThat(secret.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/component", "console-proxy");
    }
  }
}
