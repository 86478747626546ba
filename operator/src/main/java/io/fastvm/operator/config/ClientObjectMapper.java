package io.fastvm.operator.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** Applies {@link ModelMixins} to the Kubernetes client Quarkus gives the operator. */
@Singleton
public class ClientObjectMapper implements KubernetesClientObjectMapperCustomizer {
  @Override
  public void customize(ObjectMapper mapper) {
    ModelMixins.register(mapper);
  }
}
