package io.fastvm.api.validation;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.CelType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.util.List;

/**
 * The Kubernetes CEL quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go): {@code
 * quantity(string)}, {@code isQuantity(string)} and the methods of a quantity, with the same
 * overload ids and semantics.
 */
final class QuantityLibrary {
  private QuantityLibrary() {}

  static final CelType QUANTITY = OpaqueType.create("kubernetes.Quantity");

  static List<CelFunctionDecl> declarations() {
    CelType q = QUANTITY;
    CelType b = SimpleType.BOOL;
    CelType i = SimpleType.INT;
    return List.of(
        global("quantity", "string_to_quantity", q, SimpleType.STRING),
        global("isQuantity", "is_quantity_string", b, SimpleType.STRING),
        member("isInteger", "quantity_is_integer", b, q),
        member("asInteger", "quantity_get_integer", i, q),
        member("asApproximateFloat", "quantity_get_float", SimpleType.DOUBLE, q),
        member("sign", "quantity_sign", i, q),
        member("isGreaterThan", "quantity_greater", b, q, q),
        member("isLessThan", "quantity_less", b, q, q),
        member("compareTo", "quantity_compare", i, q, q),
        CelFunctionDecl.newFunctionDeclaration(
            "add",
            CelOverloadDecl.newMemberOverload("quantity_add", q, q, q),
            CelOverloadDecl.newMemberOverload("quantity_add_int", q, q, i)),
        CelFunctionDecl.newFunctionDeclaration(
            "sub",
            CelOverloadDecl.newMemberOverload("quantity_sub", q, q, q),
            CelOverloadDecl.newMemberOverload("quantity_sub_int", q, q, i)));
  }

  static List<CelFunctionBinding> bindings() {
    Class<KubernetesQuantity> q = KubernetesQuantity.class;
    return List.of(
        CelFunctionBinding.from("string_to_quantity", String.class, QuantityLibrary::parse),
        CelFunctionBinding.from("is_quantity_string", String.class, KubernetesQuantity::isQuantity),
        CelFunctionBinding.from("quantity_is_integer", q, KubernetesQuantity::isInteger),
        CelFunctionBinding.from("quantity_get_integer", q, QuantityLibrary::asInteger),
        CelFunctionBinding.from("quantity_get_float", q, KubernetesQuantity::asApproximateDouble),
        CelFunctionBinding.from("quantity_sign", q, x -> (long) x.sign()),
        CelFunctionBinding.from("quantity_greater", q, q, (x, y) -> x.compareTo(y) > 0),
        CelFunctionBinding.from("quantity_less", q, q, (x, y) -> x.compareTo(y) < 0),
        CelFunctionBinding.from("quantity_compare", q, q, (x, y) -> (long) x.compareTo(y)),
        CelFunctionBinding.from("quantity_add", q, q, KubernetesQuantity::add),
        CelFunctionBinding.from("quantity_add_int", q, Long.class, (x, y) -> x.add(of(y))),
        CelFunctionBinding.from("quantity_sub", q, q, KubernetesQuantity::subtract),
        CelFunctionBinding.from("quantity_sub_int", q, Long.class, (x, y) -> x.subtract(of(y))));
  }

  private static KubernetesQuantity parse(String text) throws CelEvaluationException {
    return KubernetesQuantity.tryParse(text)
        .orElseThrow(() -> new CelEvaluationException(KubernetesQuantity.FORMAT_ERROR));
  }

  private static long asInteger(KubernetesQuantity quantity) throws CelEvaluationException {
    return quantity
        .asLong()
        .orElseThrow(() -> new CelEvaluationException("cannot convert value to integer"));
  }

  private static KubernetesQuantity of(long amount) {
    return new KubernetesQuantity(java.math.BigDecimal.valueOf(amount));
  }

  private static CelFunctionDecl global(
      String name, String overloadId, CelType result, CelType... params) {
    return CelFunctionDecl.newFunctionDeclaration(
        name, CelOverloadDecl.newGlobalOverload(overloadId, result, params));
  }

  private static CelFunctionDecl member(
      String name, String overloadId, CelType result, CelType... params) {
    return CelFunctionDecl.newFunctionDeclaration(
        name, CelOverloadDecl.newMemberOverload(overloadId, result, params));
  }
}
