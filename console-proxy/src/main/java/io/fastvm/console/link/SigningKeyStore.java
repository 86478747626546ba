package io.fastvm.console.link;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.UUID;

/**
 * Keeps the link signing key (an EC P-256 private JWK) in a Secret, creating it on first start, so
 * links survive a proxy restart and all replicas sign alike. Two replicas racing to create it: the
 * loser reads the winner's.
 */
public final class SigningKeyStore {
  public static final String KEY = "signing-key.jwk";

  private final KubernetesClient client;
  private final String namespace;
  private final String name;

  public SigningKeyStore(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  public ECKey loadOrCreate() {
    ECKey existing = load();
    if (existing != null) {
      return existing;
    }
    ECKey key = generate();
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .addToLabels("app.kubernetes.io/part-of", "fastvm")
            .addToLabels("app.kubernetes.io/component", "console-proxy")
            .endMetadata()
            .withType("Opaque")
            .addToData(
                KEY,
                Base64.getEncoder()
                    .encodeToString(key.toJSONString().getBytes(StandardCharsets.UTF_8)))
            .build();
    try {
      client.secrets().inNamespace(namespace).resource(secret).create();
      return key;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        ECKey winner = load();
        if (winner != null) {
          return winner;
        }
      }
      throw e;
    }
  }

  private ECKey load() {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(KEY)) {
      return null;
    }
    String json =
        new String(Base64.getDecoder().decode(secret.getData().get(KEY)), StandardCharsets.UTF_8);
    try {
      ECKey key = ECKey.parse(json);
      if (!key.isPrivate() || !Curve.P_256.equals(key.getCurve())) {
        throw new IllegalStateException(
            "Secret " + namespace + "/" + name + " holds no EC P-256 private key");
      }
      return key;
    } catch (ParseException e) {
      throw new IllegalStateException("Secret " + namespace + "/" + name + " is not a JWK", e);
    }
  }

  /** A fresh signing key (also for tests). */
  public static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256)
          .keyUse(KeyUse.SIGNATURE)
          .keyID(UUID.randomUUID().toString())
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
