package io.fastvm.cloudinit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringReader;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads YAML into a JSON tree the way cloud-init's loader (PyYAML's SafeLoader, YAML 1.1) does, and
 * remembers the line of every key and list item so that a schema error can name its line.
 *
 * <p>SnakeYAML (the parser under Jackson YAML) composes the node tree, with PyYAML's own implicit
 * typing rules (its resolver) rather than SnakeYAML's slightly different ones; the tree is then
 * built here because Jackson's YAML reader differs from PyYAML where it matters for a schema check:
 * it keeps {@code <<} merge keys and aliases unresolved, reads {@code 2030-01-01} as a string
 * (PyYAML: a date, which is no JSON string) and fails on {@code .inf}.
 */
final class CloudConfigYaml {
  private CloudConfigYaml() {}

  /**
   * @param root the document; null when it is empty
   * @param lines 1-based line of each node by JSON pointer ("" the root, "/users/0/name" a key)
   * @param duplicates keys given twice in one mapping (PyYAML keeps the last silently)
   * @param written by JSON pointer, the source text of numbers and booleans written otherwise than
   *     their value reads ({@code 0644} is 420, {@code on} is true), for messages
   */
  record Document(
      JsonNode root,
      Map<String, Integer> lines,
      List<DuplicateKey> duplicates,
      Map<String, String> written) {

    /** The line of the node at {@code pointer}, else of its nearest ancestor that has one. */
    int lineOf(String pointer) {
      String p = pointer;
      while (true) {
        Integer line = lines.get(p);
        if (line != null) {
          return line;
        }
        if (p.isEmpty()) {
          return 1;
        }
        p = p.substring(0, p.lastIndexOf('/'));
      }
    }
  }

  /** A key given again in the same mapping: {@code pointer} is the mapping's. */
  record DuplicateKey(String pointer, String key, int line, int firstLine) {}

  /** Text that is not YAML cloud-init can load; line and column are 1-based. */
  static final class SyntaxError extends Exception {
    final int line;
    final int column;

    SyntaxError(int line, int column, String message) {
      super(message);
      this.line = line;
      this.column = column;
    }
  }

  /** A YAML timestamp (PyYAML makes a date or datetime of it, which matches no JSON type). */
  record Timestamp(String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  private static final String PYTHON_UNICODE = "tag:yaml.org,2002:python/unicode";
  private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

  static Document parse(String text) throws SyntaxError {
    LoaderOptions options = new LoaderOptions();
    // Both kept, so that the duplicate can be reported; the last one wins, as in PyYAML.
    options.setAllowDuplicateKeys(true);
    options.setWarnOnDuplicateKeys(false); // reported as problems, not logged
    Scalars scalars = new Scalars(options);
    Yaml yaml =
        new Yaml(
            scalars,
            new Representer(new DumperOptions()),
            new DumperOptions(),
            options,
            new PyYamlResolver());
    Node node;
    try {
      node = yaml.compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      throw syntaxError(e, text);
    } catch (YAMLException e) {
      throw new SyntaxError(1, 1, "not valid YAML: " + e.getMessage());
    }
    Builder builder = new Builder(scalars);
    if (node == null) {
      return new Document(null, Map.of(), List.of(), Map.of());
    }
    builder.lines.put("", line(node.getStartMark()));
    JsonNode root = builder.build(node, "");
    return new Document(root, builder.lines, builder.duplicates, builder.written);
  }

  private static SyntaxError syntaxError(MarkedYAMLException e, String text) {
    // Where the parser noticed, except at the end of the text (text is null when there is no
    // text to compare with): an unclosed quote or bracket is better shown where it opened.
    boolean atEnd =
        text != null
            && e.getProblemMark() != null
            && e.getProblemMark().getIndex() >= text.stripTrailing().length();
    Mark mark =
        e.getProblemMark() != null && !(atEnd && e.getContextMark() != null)
            ? e.getProblemMark()
            : e.getContextMark();
    StringBuilder message = new StringBuilder("not valid YAML: ");
    message.append(e.getProblem() == null ? "error" : e.getProblem());
    if (e.getContext() != null) {
      message.append(" (").append(e.getContext());
      if (e.getContextMark() != null && mark != e.getContextMark()) {
        message.append(" at line ").append(line(e.getContextMark()));
      }
      message.append(')');
    }
    int line = mark == null ? 1 : line(mark);
    int column = mark == null ? 1 : mark.getColumn() + 1;
    message.append(", column ").append(column);
    return new SyntaxError(line, column, message.toString());
  }

  private static int line(Mark mark) {
    return mark.getLine() + 1;
  }

  private static final class Builder {
    final Scalars scalars;
    final Map<String, Integer> lines = new HashMap<>();
    final List<DuplicateKey> duplicates = new ArrayList<>();
    final Map<String, String> written = new HashMap<>();
    final IdentityHashMap<Node, Boolean> open = new IdentityHashMap<>();

    Builder(Scalars scalars) {
      this.scalars = scalars;
    }

    JsonNode build(Node node, String pointer) throws SyntaxError {
      if (open.put(node, Boolean.TRUE) != null) {
        throw error(node, "an alias refers to a node that contains it (a recursive structure)");
      }
      try {
        return switch (node) {
          case MappingNode mapping -> mapping(mapping, pointer);
          case SequenceNode sequence -> sequence(sequence, pointer);
          case ScalarNode scalar -> scalar(scalar, pointer);
          default -> throw error(node, "unexpected YAML node " + node.getNodeId());
        };
      } finally {
        open.remove(node);
      }
    }

    private JsonNode mapping(MappingNode node, String pointer) throws SyntaxError {
      if (!node.getTag().equals(Tag.MAP)) {
        throw unknownTag(node);
      }
      Map<Object, Integer> seen = new HashMap<>();
      for (NodeTuple tuple : node.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key && !key.getTag().equals(Tag.MERGE)) {
          Object value = scalars.value(key);
          Integer first = seen.putIfAbsent(value, line(key.getStartMark()));
          if (first != null) {
            duplicates.add(
                new DuplicateKey(pointer, key.getValue(), line(key.getStartMark()), first));
          }
        }
      }
      try {
        scalars.merge(node);
      } catch (MarkedYAMLException e) {
        throw syntaxError(e, null);
      }
      ObjectNode object = JsonNodeFactory.instance.objectNode();
      for (NodeTuple tuple : node.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
          throw error(tuple.getKeyNode(), "a key must be a plain value, not a list or mapping");
        }
        String child = pointer + "/" + escape(key.getValue());
        lines.put(child, line(key.getStartMark()));
        object.set(key.getValue(), build(tuple.getValueNode(), child));
      }
      return object;
    }

    private JsonNode sequence(SequenceNode node, String pointer) throws SyntaxError {
      if (!node.getTag().equals(Tag.SEQ)) {
        throw unknownTag(node);
      }
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      List<Node> items = node.getValue();
      for (int i = 0; i < items.size(); i++) {
        String child = pointer + "/" + i;
        lines.putIfAbsent(child, line(items.get(i).getStartMark()));
        array.add(build(items.get(i), child));
      }
      return array;
    }

    private JsonNode scalar(ScalarNode node, String pointer) throws SyntaxError {
      JsonNodeFactory f = JsonNodeFactory.instance;
      Tag tag = node.getTag();
      if (tag.equals(Tag.STR) || tag.getValue().equals(PYTHON_UNICODE)) {
        return f.textNode(node.getValue());
      }
      if (tag.equals(Tag.TIMESTAMP)) {
        String text = node.getValue();
        if (DATE.matcher(text).matches()) {
          try {
            LocalDate.parse(text);
          } catch (DateTimeParseException e) {
            // PyYAML fails on it while loading, and cloud-init with it.
            throw error(
                node, text + " is no date (YYYY-MM-DD); quote it if it is meant as a string");
          }
        }
        return f.pojoNode(new Timestamp(text));
      }
      if (!List.of(Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.BINARY).contains(tag)) {
        throw unknownTag(node);
      }
      Object value;
      try {
        value = scalars.value(node);
      } catch (YAMLException | NumberFormatException e) {
        throw error(node, "cannot read " + node.getValue() + " as " + tag.getValue());
      }
      if ((value instanceof Number || value instanceof Boolean)
          && !String.valueOf(value).equals(node.getValue())) {
        written.put(pointer, node.getValue());
      }
      return switch (value) {
        case null -> f.nullNode();
        case Boolean b -> f.booleanNode(b);
        case Integer i -> f.numberNode(i);
        case Long l -> f.numberNode(l);
        case BigInteger b -> f.numberNode(b);
        case Double d -> f.numberNode(d);
        // cloud-init's schema accepts bytes (!!binary) wherever it wants a string.
        case byte[] bytes -> f.binaryNode(bytes);
        default -> throw unknownTag(node);
      };
    }

    private static SyntaxError unknownTag(Node node) {
      return error(
          node,
          "tag "
              + node.getTag().getValue()
              + " is not one cloud-init's YAML loader (PyYAML's SafeLoader) can read");
    }

    private static SyntaxError error(Node node, String message) {
      Mark mark = node.getStartMark();
      return new SyntaxError(
          line(mark),
          mark.getColumn() + 1,
          "not valid YAML: " + message + ", column " + (mark.getColumn() + 1));
    }
  }

  /** JSON pointer escaping of one key (RFC 6901). */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  /** SnakeYAML's safe constructor, opened for one scalar at a time and for merge keys. */
  private static final class Scalars extends SafeConstructor {
    Scalars(LoaderOptions options) {
      super(options);
    }

    Object value(ScalarNode node) {
      if (node.getTag().equals(Tag.TIMESTAMP)) {
        return node.getValue();
      }
      if (node.getTag().equals(Tag.INT) && node.getValue().contains(":")) {
        return sexagesimal(node.getValue());
      }
      return constructObject(node);
    }

    /**
     * A base-60 integer such as 1:30 (90) or an unquoted MAC 52:54:00:12:34:56, which SnakeYAML
     * computes in an int and overflows.
     */
    private static BigInteger sexagesimal(String text) {
      String digits = text.replace("_", "");
      boolean negative = digits.startsWith("-");
      BigInteger value = BigInteger.ZERO;
      for (String part : digits.replaceFirst("^[-+]", "").split(":")) {
        value = value.multiply(BigInteger.valueOf(60)).add(new BigInteger(part));
      }
      return negative ? value.negate() : value;
    }

    /** Resolves {@code <<} merge keys in place, as PyYAML's flatten_mapping does. */
    void merge(MappingNode node) {
      flattenMapping(node);
    }
  }

  /**
   * PyYAML's implicit typing (yaml/resolver.py), which differs from SnakeYAML's: {@code 1e3} is a
   * string (a YAML 1.1 float needs a dot) and {@code =} is the "value" type, which no safe
   * constructor reads.
   */
  private static final class PyYamlResolver extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(
          Tag.BOOL,
          Pattern.compile(
              "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
          "yYnNtTfFoO");
      addImplicitResolver(
          Tag.FLOAT,
          Pattern.compile(
              "^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
                  + "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
                  + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
                  + "|[-+]?\\.(?:inf|Inf|INF)"
                  + "|\\.(?:nan|NaN|NAN))$"),
          "-+0123456789.");
      addImplicitResolver(
          Tag.INT,
          Pattern.compile(
              "^(?:[-+]?0b[0-1_]+"
                  + "|[-+]?0[0-7_]+"
                  + "|[-+]?(?:0|[1-9][0-9_]*)"
                  + "|[-+]?0x[0-9a-fA-F_]+"
                  + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"),
          "-+0123456789");
      addImplicitResolver(Tag.MERGE, Pattern.compile("^(?:<<)$"), "<");
      addImplicitResolver(Tag.NULL, Pattern.compile("^(?:~|null|Null|NULL)$"), "~nN");
      addImplicitResolver(Tag.NULL, Pattern.compile("^$"), null);
      addImplicitResolver(
          Tag.TIMESTAMP,
          Pattern.compile(
              "^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
                  + "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
                  + "(?:[Tt]|[ \\t]+)[0-9][0-9]?"
                  + ":[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
                  + "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"),
          "0123456789");
      addImplicitResolver(new Tag("tag:yaml.org,2002:value"), Pattern.compile("^(?:=)$"), "=");
    }
  }
}
