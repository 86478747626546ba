package io.fastvm.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** The chart rendered by Helm's own template engine (helm-java), as typed Kubernetes objects. */
record RenderedChart(List<HasMetadata> objects) {

  static final Path CHART = Path.of("fastvm");
  static final String NAMESPACE = "fastvm-system";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static RenderedChart render(Map<String, Object> values) {
    TemplateCommand template =
        new Helm(CHART).template().withName("fastvm").withNamespace(NAMESPACE).skipCrds();
    values.forEach(template::set);
    String yaml = template.call();
    List<HasMetadata> objects =
        Arrays.stream(yaml.split("(?m)^---\\s*$"))
            .filter(doc -> doc.lines().anyMatch(l -> l.startsWith("kind:")))
            .map(doc -> (HasMetadata) SERIALIZATION.unmarshal(doc))
            .toList();
    return new RenderedChart(objects);
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return find(type, name)
        .orElseThrow(() -> new NoSuchElementException(type.getSimpleName() + " " + name));
  }

  <T extends HasMetadata> java.util.Optional<T> find(Class<T> type, String name) {
    return objects.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst();
  }
}
