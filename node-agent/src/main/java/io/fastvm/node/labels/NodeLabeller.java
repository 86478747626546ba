package io.fastvm.node.labels;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link NodeLabels} onto the agent's own Node: reads it, plans the change, and patches only
 * when there is one, so a node whose features stay the same sees no writes. A JSON merge patch of
 * {@code metadata.labels} touches no label that is not in it, so labels of others survive, also
 * those set between the read and the write.
 */
public final class NodeLabeller {

  private static final System.Logger LOG = System.getLogger(NodeLabeller.class.getName());
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final KubernetesClient client;
  private final String nodeName;

  public NodeLabeller(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
  }

  /**
   * Brings the node's labels to what {@code features} says.
   *
   * @return whether it wrote
   * @throws IllegalStateException if the node does not exist
   */
  public boolean apply(NodeFeatures features) {
    Node node = client.nodes().withName(nodeName).get();
    if (node == null) {
      throw new IllegalStateException("node " + nodeName + " does not exist");
    }
    Map<String, String> patch = NodeLabels.patch(node.getMetadata().getLabels(), features);
    if (patch.isEmpty()) {
      return false;
    }
    client
        .nodes()
        .withName(nodeName)
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch(patch));
    LOG.log(System.Logger.Level.INFO, "node {0} labels: {1}", nodeName, describe(patch));
    return true;
  }

  /** {@code {"metadata":{"labels":{...}}}}, with JSON nulls for the labels to remove. */
  static String mergePatch(Map<String, String> labels) {
    ObjectNode patch = MAPPER.createObjectNode();
    ObjectNode target = patch.putObject("metadata").putObject("labels");
    labels.forEach(
        (key, value) -> {
          if (value == null) {
            target.putNull(key);
          } else {
            target.put(key, value);
          }
        });
    return patch.toString();
  }

  private static String describe(Map<String, String> patch) {
    List<String> set = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    patch.forEach(
        (key, value) -> {
          if (value == null) {
            removed.add(key);
          } else {
            set.add(key + "=" + value);
          }
        });
    return "set "
        + (set.isEmpty() ? "none" : String.join(", ", set))
        + "; removed "
        + (removed.isEmpty() ? "none" : String.join(", ", removed));
  }
}
