package io.fastvm.console.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RfbClientFilterTest {
  static final byte[] VERSION = "RFB 003.008\n".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SET_PIXEL_FORMAT = new byte[20];
  static final byte[] SET_ENCODINGS = {2, 0, 0, 2, 0, 0, 0, 7, (byte) 0xff, (byte) 0xff, 0, 0x21};
  static final byte[] UPDATE_REQUEST = {3, 1, 0, 0, 0, 0, 3, 0, 2, 0};
  static final byte[] KEY = {4, 1, 0, 0, 0, 0, (byte) 0xff, (byte) 0xe3};
  static final byte[] POINTER = {5, 0, 0, 100, 0, 50};
  static final byte[] QEMU_KEY = {(byte) 255, 0, 0, 1, 0, 0, 0, 0x61, 0, 0, 0, 0x1e};
  static final byte[] FENCE = {(byte) 248, 0, 0, 0, 0, 0, 0, 1, 2, 9, 9};
  static final byte[] CONTINUOUS = {(byte) 150, 1, 0, 0, 0, 0, 3, 0, 2, 0};
  static final byte[] DESKTOP_SIZE = desktopSize();
  static final byte[] XVP_REBOOT = {(byte) 250, 0, 1, 3};

  static {
    SET_PIXEL_FORMAT[0] = 0;
  }

  static byte[] desktopSize() {
    ByteBuffer b = ByteBuffer.allocate(8 + 16);
    b.put((byte) 251).put((byte) 0).putShort((short) 1024).putShort((short) 768);
    b.put((byte) 1).put((byte) 0).put(new byte[16]);
    return b.array();
  }

  static byte[] cutText(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(8 + bytes.length);
    b.put((byte) 6).put(new byte[3]).putInt(bytes.length).put(bytes);
    return b.array();
  }

  static byte[] handshake(int shared) {
    return concat(VERSION, new byte[] {1, (byte) shared});
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Feeds the stream in pieces of {@code chunk} bytes, as the network might split it. */
  static FilterResult feed(RfbClientFilter filter, byte[] stream, int chunk) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean input = false;
    for (int i = 0; i < stream.length; i += chunk) {
      FilterResult r =
          filter.filter(Arrays.copyOfRange(stream, i, Math.min(stream.length, i + chunk)));
      if (r.violation() != null) {
        return r;
      }
      out.writeBytes(r.forward());
      input |= r.userInput();
    }
    return new FilterResult(out.toByteArray(), input, null);
  }

  @Test
  void viewOnlyDropsEveryKindOfInputAndKeepsTheRest() {
    byte[] stream =
        concat(
            handshake(1),
            SET_PIXEL_FORMAT,
            SET_ENCODINGS,
            KEY,
            UPDATE_REQUEST,
            POINTER,
            cutText("secret"),
            QEMU_KEY,
            FENCE,
            CONTINUOUS,
            DESKTOP_SIZE,
            XVP_REBOOT,
            UPDATE_REQUEST);
    byte[] kept =
        concat(
            handshake(1),
            SET_PIXEL_FORMAT,
            SET_ENCODINGS,
            UPDATE_REQUEST,
            FENCE,
            CONTINUOUS,
            UPDATE_REQUEST);
    for (int chunk : new int[] {1, 3, 7, 1000}) {
      FilterResult result = feed(new RfbClientFilter(true), stream, chunk);
      assertThat(result.violation()).isNull();
      assertThat(result.forward()).as("chunk " + chunk).isEqualTo(kept);
      assertThat(result.userInput()).isFalse();
    }
  }

  @Test
  void fullAccessPassesEverythingAndNoticesInput() {
    byte[] stream = concat(handshake(1), SET_ENCODINGS, UPDATE_REQUEST, KEY, cutText("hello"));
    FilterResult result = feed(new RfbClientFilter(false), stream, 5);
    assertThat(result.forward()).isEqualTo(stream);
    assertThat(result.userInput()).isTrue();
    FilterResult noInput =
        feed(new RfbClientFilter(false), concat(handshake(1), UPDATE_REQUEST), 5);
    assertThat(noInput.userInput()).isFalse();
  }

  @Test
  void theSharedFlagIsAlwaysSet() {
    FilterResult result = feed(new RfbClientFilter(false), handshake(0), 1);
    assertThat(result.forward()).isEqualTo(handshake(1));
  }

  @Test
  void vncPasswordResponsesAreSkippedOver() {
    byte[] stream = concat(VERSION, new byte[] {2}, new byte[16], new byte[] {1}, KEY);
    FilterResult result = feed(new RfbClientFilter(true), stream, 4);
    assertThat(result.forward())
        .isEqualTo(concat(VERSION, new byte[] {2}, new byte[16], new byte[] {1}));
  }

  @Test
  void extendedClipboardWithNegativeLengthIsOneMessage() {
    byte[] extended = {6, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfc, 1, 2, 3, 4};
    byte[] stream = concat(handshake(1), extended, UPDATE_REQUEST);
    assertThat(feed(new RfbClientFilter(true), stream, 3).forward())
        .isEqualTo(concat(handshake(1), UPDATE_REQUEST));
  }

  @Test
  void whatCannotBeFollowedClosesAViewOnlyStream() {
    assertThat(
            feed(new RfbClientFilter(true), concat(handshake(1), new byte[] {99, 0}), 10)
                .violation())
        .isNotNull();
    assertThat(feed(new RfbClientFilter(true), "RFB 003.003\n".getBytes(), 12).violation())
        .isNotNull();
    assertThat(feed(new RfbClientFilter(true), concat(VERSION, new byte[] {19}), 13).violation())
        .isNotNull();
    // with full access the rest simply passes
    byte[] odd = concat(handshake(1), new byte[] {99, 0, 1, 2});
    assertThat(feed(new RfbClientFilter(false), odd, 2).forward()).isEqualTo(odd);
  }
}
