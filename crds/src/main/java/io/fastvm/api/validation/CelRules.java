package io.fastvm.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code x-kubernetes-validations} rules of one schema, compiled once with the API server's CEL
 * environment (standard macros, string and set extensions, the quantity library) and {@code self}
 * typed after the schema node the rule sits on. A rule that references {@code oldSelf} is a
 * transition rule and runs only on updates where the old object has that node.
 */
final class CelRules {

  private static final CelOptions OPTIONS =
      CelOptions.current().enableHeterogeneousNumericComparisons(true).errorOnIntWrap(true).build();

  /** A compiled rule; {@code program} is empty and {@code problem} says why when it failed. */
  record CompiledRule(
      ValidationRule rule,
      String location,
      Optional<CelRuntime.Program> program,
      Optional<CelRuntime.Program> messageProgram,
      boolean transition,
      String problem) {}

  private final CelSchemaTypes types;
  private final Map<JSONSchemaProps, List<CompiledRule>> rules = new IdentityHashMap<>();

  CelRules(JSONSchemaProps root, String kind) {
    this.types = new CelSchemaTypes(root, kind);
    compileAll(root, "");
  }

  /** Every rule of the schema with its location, compiled or not. */
  List<CompiledRule> all() {
    return rules.values().stream().flatMap(List::stream).toList();
  }

  /** Runs the rules on an object (after defaulting); {@code old} is null on create. */
  void validate(JsonNode object, JsonNode old, JSONSchemaProps root, List<Violation> out) {
    walk(object, old, root, "", out);
  }

  private void compileAll(JSONSchemaProps schema, String location) {
    List<ValidationRule> declared = schema.getXKubernetesValidations();
    if (declared != null && !declared.isEmpty()) {
      Cel cel = environment(types.typeOf(schema));
      rules.put(schema, declared.stream().map(r -> compile(cel, r, location)).toList());
    }
    Schemas.properties(schema).forEach((k, s) -> compileAll(s, FieldPaths.child(location, k)));
    Schemas.additionalProperties(schema).ifPresent(s -> compileAll(s, location + "[*]"));
    Schemas.items(schema).ifPresent(s -> compileAll(s, location + "[*]"));
  }

  private Cel environment(CelType self) {
    return CelFactory.standardCelBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .setTypeProvider(types)
        .addCompilerLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS))
        .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS))
        .addFunctionDeclarations(QuantityLibrary.declarations())
        .addFunctionBindings(QuantityLibrary.bindings())
        .addVar("self", self)
        .addVar("oldSelf", self)
        .build();
  }

  private static CompiledRule compile(Cel cel, ValidationRule rule, String location) {
    try {
      CelAbstractSyntaxTree ast = cel.compile(rule.getRule()).getAst();
      if (!ast.getResultType().equals(SimpleType.BOOL)) {
        return failed(rule, location, "must evaluate to a bool, not " + ast.getResultType().name());
      }
      boolean transition =
          ast.getReferenceMap().values().stream().anyMatch(r -> r.name().equals("oldSelf"));
      Optional<CelRuntime.Program> message = Optional.empty();
      if (rule.getMessageExpression() != null && !rule.getMessageExpression().isBlank()) {
        CelAbstractSyntaxTree messageAst = cel.compile(rule.getMessageExpression()).getAst();
        if (!messageAst.getResultType().equals(SimpleType.STRING)) {
          return failed(rule, location, "messageExpression must evaluate to a string");
        }
        message = Optional.of(cel.createProgram(messageAst));
      }
      return new CompiledRule(
          rule, location, Optional.of(cel.createProgram(ast)), message, transition, "");
    } catch (CelValidationException | CelEvaluationException e) {
      return failed(rule, location, e.getMessage());
    }
  }

  private static CompiledRule failed(ValidationRule rule, String location, String problem) {
    return new CompiledRule(rule, location, Optional.empty(), Optional.empty(), false, problem);
  }

  private void walk(
      JsonNode node, JsonNode old, JSONSchemaProps schema, String path, List<Violation> out) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    List<CompiledRule> here = rules.getOrDefault(schema, List.of());
    if (!here.isEmpty()) {
      Map<String, Object> vars = new HashMap<>();
      vars.put("self", types.value(node, schema));
      if (old != null && !old.isNull() && !old.isMissingNode()) {
        vars.put("oldSelf", types.value(old, schema));
      }
      for (CompiledRule rule : here) {
        if (!rule.transition() || vars.containsKey("oldSelf")) {
          evaluate(rule, vars, schema, path, out);
        }
      }
    }
    if (node.isObject()) {
      for (var field : node.properties()) {
        JsonNode oldField = old != null && old.isObject() ? old.get(field.getKey()) : null;
        Schemas.property(schema, field.getKey())
            .ifPresent(
                s ->
                    walk(
                        field.getValue(),
                        oldField,
                        s,
                        FieldPaths.child(path, field.getKey()),
                        out));
      }
    } else if (node.isArray()) {
      Optional<JSONSchemaProps> items = Schemas.items(schema);
      for (int i = 0; i < node.size() && items.isPresent(); i++) {
        JsonNode oldItem = correlatedItem(node.get(i), old, schema);
        walk(node.get(i), oldItem, items.get(), FieldPaths.index(path, i), out);
      }
    }
  }

  /**
   * The old item an item is compared with by transition rules: only list-type map lists correlate
   * items (by their keys); in other lists an item has no old self.
   */
  private static JsonNode correlatedItem(JsonNode item, JsonNode oldList, JSONSchemaProps schema) {
    List<String> keys = schema.getXKubernetesListMapKeys();
    if (!"map".equals(schema.getXKubernetesListType()) || keys == null || oldList == null) {
      return null;
    }
    for (JsonNode candidate : oldList) {
      if (keys.stream().allMatch(k -> candidate.path(k).equals(item.path(k)))) {
        return candidate;
      }
    }
    return null;
  }

  private static void evaluate(
      CompiledRule compiled,
      Map<String, Object> vars,
      JSONSchemaProps schema,
      String path,
      List<Violation> out) {
    ValidationRule rule = compiled.rule();
    String type = schema.getType() == null ? "object" : schema.getType();
    if (compiled.program().isEmpty()) {
      out.add(
          Violation.internal(
              path, "rule " + quote(rule) + " does not compile: " + compiled.problem()));
      return;
    }
    Object result;
    try {
      result = compiled.program().get().eval(vars);
    } catch (CelEvaluationException e) {
      out.add(
          Violation.invalid(
              path, type, "rule " + quote(rule) + " failed to evaluate: " + e.getMessage()));
      return;
    }
    if (Boolean.TRUE.equals(result)) {
      return;
    }
    String relative = normalizedFieldPath(rule.getFieldPath());
    String field = path.isEmpty() ? relative.replaceFirst("^\\.", "") : path + relative;
    String message = message(compiled, vars);
    out.add(
        switch (rule.getReason() == null ? "" : rule.getReason()) {
          case "FieldValueRequired" -> Violation.required(field, message);
          case "FieldValueForbidden" -> Violation.forbidden(field, message);
          case "FieldValueDuplicate" -> Violation.duplicate(field, type, message);
          default -> Violation.invalid(field, type, message);
        });
  }

  /** messageExpression if it yields a one-line text, else message, else the rule itself. */
  private static String message(CompiledRule compiled, Map<String, Object> vars) {
    if (compiled.messageProgram().isPresent()) {
      try {
        Object text = compiled.messageProgram().get().eval(vars);
        if (text instanceof String s && !s.isBlank() && !s.contains("\n")) {
          return s;
        }
      } catch (CelEvaluationException e) {
        // The API server falls back to message too.
      }
    }
    String message = compiled.rule().getMessage();
    return message != null && !message.isBlank()
        ? message
        : "failed rule: " + compiled.rule().getRule().strip();
  }

  private static final Pattern FIELD_PATH_STEP =
      Pattern.compile("\\.([A-Za-z0-9_$-]+)|\\['((?:[^'\\\\]|\\\\.)*)'\\]|\\[(\\d+)\\]");

  /** {@code .spec['a.b'][0]} as {@code .spec.a.b[0]}, to append to the rule's path. */
  static String normalizedFieldPath(String fieldPath) {
    if (fieldPath == null || fieldPath.isEmpty()) {
      return "";
    }
    StringBuilder path = new StringBuilder();
    Matcher m = FIELD_PATH_STEP.matcher(fieldPath);
    while (m.find()) {
      if (m.group(3) != null) {
        path.append('[').append(m.group(3)).append(']');
      } else {
        path.append('.').append(m.group(1) != null ? m.group(1) : m.group(2));
      }
    }
    return path.toString();
  }

  private static String quote(ValidationRule rule) {
    return "\"" + rule.getRule() + "\"";
  }
}
