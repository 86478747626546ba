package io.fastvm.console.bridge;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the serial console's bytes into text for WebSocket text frames, which must be valid UTF-8:
 * a character split across two chunks waits for its second half, invalid bytes become U+FFFD.
 */
public final class Utf8StreamDecoder {
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private static final byte[] NONE = new byte[0];
  private byte[] pending = NONE;

  public String decode(byte[] bytes) {
    ByteBuffer in;
    if (pending.length == 0) {
      in = ByteBuffer.wrap(bytes);
    } else {
      in = ByteBuffer.allocate(pending.length + bytes.length);
      in.put(pending).put(bytes).flip();
    }
    CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
    decoder.decode(in, out, false);
    if (in.hasRemaining()) {
      pending = new byte[in.remaining()];
      in.get(pending);
    } else {
      pending = NONE;
    }
    return out.flip().toString();
  }
}
