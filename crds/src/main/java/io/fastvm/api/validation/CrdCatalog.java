package io.fastvm.api.validation;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The CRDs a validator knows, by apiVersion and kind. {@link #committed()} loads the ones this
 * module ships under {@value #CLASSPATH_DIR} (the files in {@code crds/manifests}).
 */
public final class CrdCatalog {

  public static final String CLASSPATH_DIR = "META-INF/fastvm/crds";

  /** One served version of a CRD: what a manifest with that apiVersion and kind is checked with. */
  public record ServedVersion(
      String apiVersion,
      String kind,
      CustomResourceDefinition crd,
      CustomResourceDefinitionVersion version) {}

  private final List<CustomResourceDefinition> crds;
  private final Map<String, ServedVersion> byKind = new LinkedHashMap<>();

  private CrdCatalog(List<CustomResourceDefinition> crds) {
    this.crds = List.copyOf(crds);
    for (CustomResourceDefinition crd : crds) {
      String group = crd.getSpec().getGroup();
      String kind = crd.getSpec().getNames().getKind();
      for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
        if (Boolean.TRUE.equals(version.getServed())) {
          String apiVersion = group + "/" + version.getName();
          byKind.put(key(apiVersion, kind), new ServedVersion(apiVersion, kind, crd, version));
        }
      }
    }
  }

  public static CrdCatalog of(List<CustomResourceDefinition> crds) {
    return new CrdCatalog(crds);
  }

  /** The committed fastvm CRDs, from the classpath. */
  public static CrdCatalog committed() {
    return new CrdCatalog(loadClasspath(CrdCatalog.class.getClassLoader()));
  }

  public List<CustomResourceDefinition> crds() {
    return crds;
  }

  public Optional<ServedVersion> find(String apiVersion, String kind) {
    return Optional.ofNullable(byKind.get(key(apiVersion, kind)));
  }

  /** {@code apiVersion kind} of every served version, e.g. {@code fastvm.io/v1alpha1 Volume}. */
  public List<String> served() {
    return byKind.values().stream().map(v -> v.apiVersion() + " " + v.kind()).toList();
  }

  private static String key(String apiVersion, String kind) {
    return apiVersion + " " + kind;
  }

  /** Every {@code *.yaml} under {@value #CLASSPATH_DIR}, from directories and jars alike. */
  static List<CustomResourceDefinition> loadClasspath(ClassLoader loader) {
    // A set: the same folder may be on the class path twice (classes and jar).
    Set<String> files = new TreeSet<>();
    List<CustomResourceDefinition> crds = new ArrayList<>();
    try {
      for (URL url : Collections.list(loader.getResources(CLASSPATH_DIR))) {
        files.addAll(yamlFiles(url));
      }
      for (String file : files) {
        try (InputStream in = loader.getResourceAsStream(CLASSPATH_DIR + "/" + file)) {
          crds.add(Serialization.unmarshal(in, CustomResourceDefinition.class));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CRDs under " + CLASSPATH_DIR, e);
    }
    return crds;
  }

  private static List<String> yamlFiles(URL directory) throws IOException {
    if (directory.getProtocol().equals("jar")) {
      JarURLConnection connection = (JarURLConnection) directory.openConnection();
      connection.setUseCaches(false);
      try (JarFile jar = connection.getJarFile()) {
        String prefix = CLASSPATH_DIR + "/";
        return jar.stream()
            .map(e -> e.getName())
            .filter(
                n ->
                    n.startsWith(prefix)
                        && n.endsWith(".yaml")
                        && n.indexOf('/', prefix.length()) < 0)
            .map(n -> n.substring(prefix.length()))
            .toList();
      }
    }
    try (Stream<Path> files = Files.list(Path.of(directory.toURI()))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).toList();
    } catch (URISyntaxException e) {
      throw new IOException("unexpected resource URL " + directory, e);
    }
  }
}
