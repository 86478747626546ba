package io.fastvm.operator.cloudinit;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** A Secret's values as text, and text as a Secret's data. */
public final class SecretText {
  private SecretText() {}

  /**
   * Every key's value as UTF-8 text: {@code data} decoded, then {@code stringData} (as written by
   * hand, before the API server folds it into data). A value that is not base64 is left out.
   */
  public static Map<String, String> of(Secret secret) {
    Map<String, String> text = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (key, value) -> {
                try {
                  text.put(
                      key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                  // not base64: not a value anyone can have meant
                }
              });
    }
    if (secret.getStringData() != null) {
      text.putAll(secret.getStringData());
    }
    return text;
  }

  /** Text values as a Secret's (base64) data. */
  public static Map<String, String> data(Map<String, String> text) {
    Map<String, String> data = new LinkedHashMap<>();
    text.forEach(
        (key, value) ->
            data.put(
                key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
    return data;
  }
}
