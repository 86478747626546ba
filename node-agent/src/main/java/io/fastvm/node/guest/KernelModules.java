package io.fastvm.node.guest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kernel's loadable modules, from {@code modules.dep} (Debian 12 ships them uncompressed):
 * resolves the modules a guest needs together with their dependencies, in load order.
 */
public final class KernelModules {

  private final Map<String, String> pathByName = new HashMap<>();
  private final Map<String, List<String>> depsByPath = new HashMap<>();

  private final Path dir;

  private KernelModules(Path dir) {
    this.dir = dir;
  }

  /** Reads {@code <dir>/modules.dep}; {@code dir} is {@code /lib/modules/<version>}. */
  public static KernelModules read(Path dir) throws IOException {
    KernelModules modules = new KernelModules(dir);
    for (String line : Files.readAllLines(dir.resolve("modules.dep"))) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String path = line.substring(0, colon).strip();
      String rest = line.substring(colon + 1).strip();
      List<String> deps = rest.isEmpty() ? List.of() : List.of(rest.split("\\s+"));
      modules.depsByPath.put(path, deps);
      modules.pathByName.put(name(path), path);
    }
    return modules;
  }

  /** Module name as the kernel sees it: file name without .ko, dashes as underscores. */
  static String name(String path) {
    String file = path.substring(path.lastIndexOf('/') + 1);
    int ko = file.indexOf(".ko");
    return (ko < 0 ? file : file.substring(0, ko)).replace('-', '_');
  }

  /**
   * The modules' relative paths (under {@code dir}), dependencies before dependents.
   *
   * @throws IllegalArgumentException naming a module this kernel does not have
   */
  public List<String> resolve(Collection<String> names) {
    Set<String> ordered = new LinkedHashSet<>();
    for (String name : names) {
      String path = pathByName.get(name.replace('-', '_'));
      if (path == null) {
        throw new IllegalArgumentException(
            "kernel in " + dir + " has no module " + name + " (built in, or missing)");
      }
      visit(path, ordered, new LinkedHashSet<>());
    }
    return new ArrayList<>(ordered);
  }

  private void visit(String path, Set<String> ordered, Set<String> visiting) {
    if (ordered.contains(path) || !visiting.add(path)) {
      return;
    }
    for (String dep : depsByPath.getOrDefault(path, List.of())) {
      visit(dep, ordered, visiting);
    }
    ordered.add(path);
  }
}
