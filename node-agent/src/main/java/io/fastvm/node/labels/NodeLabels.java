package io.fastvm.node.labels;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The node labels that say what a node offers, so VMs can select nodes by them: {@value #KVM} is
 * {@code "true"} or {@code "false"}, and {@value #CPU_MODEL_PREFIX}{@code <model>} is {@code
 * "true"} for each CPU model the node's QEMU can run. Pure: it only plans the change.
 */
public final class NodeLabels {

  public static final String KVM = "fastvm.io/kvm";

  /** Every label under this prefix is ours: one no longer offered is removed. */
  public static final String CPU_MODEL_PREFIX = "cpu-model.fastvm.io/";

  /**
   * The name part of a label key (after the prefix): at most 63 characters, alphanumeric at both
   * ends, with {@code -_.} and alphanumerics between.
   */
  private static final Pattern NAME_PART =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");

  private NodeLabels() {}

  /**
   * The changes that take {@code currentLabels} to what {@code features} says, for a JSON merge
   * patch of {@code metadata.labels}: a null value removes the label. Labels that are not ours are
   * never in it; nothing to change gives an empty map.
   *
   * <p>A model whose name cannot be a label's name part is left out: the API server would refuse
   * the whole patch, and so every other label with it. No QEMU model is such today.
   *
   * @param currentLabels the node's labels now (null when it has none)
   */
  public static Map<String, String> patch(
      Map<String, String> currentLabels, NodeFeatures features) {
    Map<String, String> current = currentLabels == null ? Map.of() : currentLabels;
    Map<String, String> wanted = wanted(features);
    // TreeMap: the patch (and the log of it) in a stable order; it takes null values.
    Map<String, String> patch = new TreeMap<>();
    wanted.forEach(
        (key, value) -> {
          if (!value.equals(current.get(key))) {
            patch.put(key, value);
          }
        });
    for (String key : current.keySet()) {
      if (key.startsWith(CPU_MODEL_PREFIX) && !wanted.containsKey(key)) {
        patch.put(key, null);
      }
    }
    return Collections.unmodifiableMap(patch);
  }

  /** Whether {@code model} can be the name part of a label key. */
  public static boolean validNamePart(String model) {
    return NAME_PART.matcher(model).matches();
  }

  private static Map<String, String> wanted(NodeFeatures features) {
    Map<String, String> wanted = new TreeMap<>();
    wanted.put(KVM, Boolean.toString(features.kvm()));
    for (String model : features.cpuModels()) {
      if (validNamePart(model)) {
        wanted.put(CPU_MODEL_PREFIX + model, "true");
      }
    }
    return wanted;
  }
}
