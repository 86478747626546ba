package io.fastvm.api.validation;

/**
 * The kinds of field errors the Kubernetes API server reports ({@code field.ErrorType}), with the
 * text it prints for each, plus {@link #UNKNOWN_FIELD} for strict field validation.
 */
public enum ViolationType {
  REQUIRED("Required value"),
  INVALID("Invalid value"),
  /** A value of the wrong JSON type; the API server prints it like {@link #INVALID}. */
  TYPE_INVALID("Invalid value"),
  NOT_SUPPORTED("Unsupported value"),
  FORBIDDEN("Forbidden"),
  DUPLICATE("Duplicate value"),
  TOO_LONG("Too long"),
  TOO_MANY("Too many"),
  /** A field the schema does not know (strict field validation, as {@code kubectl apply}). */
  UNKNOWN_FIELD("Unknown field"),
  /** A manifest that cannot be checked at all, or a rule that does not compile or evaluate. */
  INTERNAL("Internal error");

  private final String text;

  ViolationType(String text) {
    this.text = text;
  }

  /** The API server's wording, e.g. {@code Required value}. */
  public String text() {
    return text;
  }
}
