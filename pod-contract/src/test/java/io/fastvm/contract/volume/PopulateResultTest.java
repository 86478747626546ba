package io.fastvm.contract.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PopulateResultTest {

  private static final String SHA = "ab".repeat(32);

  @Test
  void roundTrips() {
    for (PopulateResult result :
        new PopulateResult[] {
          new PopulateResult(1L << 40, 196_608, "qcow2", null),
          new PopulateResult(0, 0, "raw", SHA),
          new PopulateResult(Long.MAX_VALUE, Long.MAX_VALUE, "raw", SHA)
        }) {
      assertThat(PopulateResult.fromJson(result.toJson())).isEqualTo(result);
    }
  }

  @Test
  void jsonIsOneSmallLine() {
    assertThat(new PopulateResult(10, 20, "qcow2", null).toJson())
        .isEqualTo(
            "{\"virtualSize\":10,\"allocatedSize\":20,\"format\":\"qcow2\",\"sha256\":null}");
  }

  @Test
  void acceptsAnyKeyOrderAndWhitespace() {
    assertThat(
            PopulateResult.fromJson(
                " {\n \"sha256\" : \""
                    + SHA
                    + "\",\t\"format\":\"raw\", \"allocatedSize\":0,\"virtualSize\":7 }\n"))
        .isEqualTo(new PopulateResult(7, 0, "raw", SHA));
  }

  @Test
  void rejectsAnythingElse() {
    String good = new PopulateResult(10, 20, "qcow2", SHA).toJson();
    assertRejected(good.replace("}", ",\"extra\":1}"), "unknown key \"extra\"");
    assertRejected(good.replace(",\"sha256\":\"" + SHA + "\"", ""), "missing key \"sha256\"");
    assertRejected(good.replace("{", "{\"format\":\"raw\","), "key \"format\" is given twice");
    assertRejected(good + "x", "unexpected text after the object");
    assertRejected(good.replace(":10", ":-10"), "expected a non-negative integer");
    assertRejected(good.replace(":10", ":010"), "expected a non-negative integer");
    assertRejected(good.replace(":10", ":1.5"), "expected '}'");
    assertRejected(good.replace(":10", ":99999999999999999999"), "number out of range");
    assertRejected(good.replace("qcow2", "vmdk"), "format must be qcow2 or raw");
    assertRejected(good.replace("\"qcow2\"", "null"), "format must not be null");
    assertRejected(good.replace("qcow2", "qc\\u006fw2"), "escapes");
    assertRejected(good.replace(SHA, SHA.toUpperCase()), "sha256 must be 64 lowercase hex");
    assertRejected(good.replace(",\"format\"", ",,\"format\""), "expected '\"'");
    assertRejected("", "expected '{'");
    assertRejected("{\"virtualSize\":1", "expected '}'");
    assertRejected("[]", "expected '{'");
  }

  private static void assertRejected(String json, String message) {
    assertThatThrownBy(() -> PopulateResult.fromJson(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a populate result")
        .hasMessageContaining(message);
  }
}
