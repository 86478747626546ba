package io.fastvm.console.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StreamDecodingTest {
  @Test
  void utf8CharactersSplitAcrossChunksArriveWhole() {
    Utf8StreamDecoder decoder = new Utf8StreamDecoder();
    byte[] text = "añ✓😀".getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    for (byte b : text) {
      out.append(decoder.decode(new byte[] {b}));
    }
    assertThat(out.toString()).isEqualTo("añ✓😀");
  }

  @Test
  void invalidBytesBecomeReplacementCharacters() {
    assertThat(new Utf8StreamDecoder().decode(new byte[] {'a', (byte) 0xff, 'b'}))
        .isEqualTo("a\uFFFDb");
  }

  @Test
  void spiceChannelTypeIsReadFromTheLinkMessage() {
    byte[] link = new byte[40];
    System.arraycopy("REDQ".getBytes(StandardCharsets.US_ASCII), 0, link, 0, 4);
    link[20] = SpiceChannelFilter.INPUTS;
    SpiceChannelFilter filter = new SpiceChannelFilter();
    FilterResult first = filter.filter(Arrays.copyOf(link, 10));
    assertThat(first.violation()).isNull();
    assertThat(filter.channelType()).isEqualTo(-1);
    FilterResult rest = filter.filter(Arrays.copyOfRange(link, 10, 40));
    assertThat(filter.channelType()).isEqualTo(SpiceChannelFilter.INPUTS);
    assertThat(rest.userInput()).isTrue();
    assertThat(rest.forward()).hasSize(30);
    assertThat(new SpiceChannelFilter().filter("GET / HTTP/1.1".getBytes()).violation())
        .isNotNull();
  }

  @Test
  void viewOnlySerialDropsTyping() {
    assertThat(new SerialInputFilter(true).filter("rm -rf /\r".getBytes()).forward()).isEmpty();
    FilterResult typed = new SerialInputFilter(false).filter("ls\r".getBytes());
    assertThat(typed.forward()).hasSize(3);
    assertThat(typed.userInput()).isTrue();
  }
}
