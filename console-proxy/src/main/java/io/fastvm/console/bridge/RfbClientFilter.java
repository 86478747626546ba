package io.fastvm.console.bridge;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Follows the client side of an RFB (VNC) stream message by message, without buffering message
 * bodies: tells user input (KeyEvent, PointerEvent, ClientCutText, QEMU extended key events, xvp,
 * SetDesktopSize) from the rest, drops it in view-only mode, and forces the ClientInit shared flag
 * on so no viewer can ask QEMU to disconnect the others. In view-only mode anything it cannot parse
 * (RFB 3.3, other security types, unknown messages) closes the connection; otherwise the rest of
 * the stream passes through unparsed.
 */
public final class RfbClientFilter implements ClientStreamFilter {
  private enum Stage {
    VERSION,
    SECURITY,
    VNC_AUTH,
    CLIENT_INIT,
    MESSAGES,
    PASSTHROUGH
  }

  private static final int SECURITY_NONE = 1;
  private static final int SECURITY_VNC_AUTH = 2;

  private final boolean viewOnly;
  private Stage stage = Stage.VERSION;
  private final byte[] head = new byte[32];
  private int headLength;
  private long bodyRemaining;
  private boolean bodyForwarded;

  public RfbClientFilter(boolean viewOnly) {
    this.viewOnly = viewOnly;
  }

  @Override
  public FilterResult filter(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
    boolean input = false;
    int i = 0;
    while (i < data.length) {
      if (stage == Stage.PASSTHROUGH) {
        out.write(data, i, data.length - i);
        break;
      }
      if (bodyRemaining > 0) {
        int n = (int) Math.min(bodyRemaining, data.length - i);
        if (bodyForwarded) {
          out.write(data, i, n);
        }
        i += n;
        bodyRemaining -= n;
        continue;
      }
      head[headLength++] = data[i++];
      int need = headerLength();
      if (need == UNKNOWN) {
        if (viewOnly) {
          return FilterResult.violation(
              "cannot follow the VNC stream at " + stage + " (type " + (head[0] & 0xff) + ")");
        }
        out.write(head, 0, headLength);
        stage = Stage.PASSTHROUGH;
        headLength = 0;
        continue;
      }
      if (headLength < need) {
        continue;
      }
      boolean isInput = completeHeader();
      if (stage == Stage.PASSTHROUGH && viewOnly) {
        return FilterResult.violation("unsupported VNC security or version in view-only mode");
      }
      boolean forward = !(viewOnly && isInput);
      if (forward) {
        out.write(head, 0, headLength);
      }
      input |= isInput && !viewOnly;
      bodyForwarded = forward;
      headLength = 0;
    }
    return new FilterResult(out.toByteArray(), input, null);
  }

  private static final int UNKNOWN = -1;

  /** Bytes of the current item's fixed part, as far as known from the bytes read so far. */
  private int headerLength() {
    return switch (stage) {
      case VERSION -> 12;
      case SECURITY, CLIENT_INIT -> 1;
      case VNC_AUTH -> 16;
      case PASSTHROUGH -> UNKNOWN;
      case MESSAGES -> messageHeaderLength();
    };
  }

  private int messageHeaderLength() {
    int type = head[0] & 0xff;
    return switch (type) {
      case 0 -> 20; // SetPixelFormat
      case 2 -> 4; // SetEncodings: count follows
      case 3 -> 10; // FramebufferUpdateRequest
      case 4 -> 8; // KeyEvent
      case 5 -> 6; // PointerEvent
      case 6 -> 8; // ClientCutText: length follows
      case 150 -> 10; // EnableContinuousUpdates
      case 248 -> 9; // ClientFence: payload length follows
      case 250 -> 4; // xvp (power actions)
      case 251 -> 8; // SetDesktopSize: screens follow
      case 255 -> qemuMessageHeaderLength();
      default -> UNKNOWN;
    };
  }

  private int qemuMessageHeaderLength() {
    if (headLength < 2) {
      return 2;
    }
    return switch (head[1] & 0xff) {
      case 0 -> 12; // extended key event
      case 1 -> {
        if (headLength < 4) {
          yield 4;
        }
        int op = u16(2);
        yield op == 2 ? 10 : (op == 0 || op == 1 ? 4 : UNKNOWN); // audio
      }
      default -> UNKNOWN;
    };
  }

  /**
   * The current item's fixed part is complete: sets the body length still to come and moves to the
   * next stage. Returns whether it is user input.
   */
  private boolean completeHeader() {
    bodyRemaining = 0;
    switch (stage) {
      case VERSION -> {
        String version = new String(head, 0, 12, StandardCharsets.US_ASCII);
        int minor = version.startsWith("RFB 003.") ? parseMinor(version) : -1;
        stage = minor >= 7 ? Stage.SECURITY : Stage.PASSTHROUGH;
        return false;
      }
      case SECURITY -> {
        int type = head[0] & 0xff;
        stage =
            type == SECURITY_NONE
                ? Stage.CLIENT_INIT
                : type == SECURITY_VNC_AUTH ? Stage.VNC_AUTH : Stage.PASSTHROUGH;
        return false;
      }
      case VNC_AUTH -> {
        stage = Stage.CLIENT_INIT;
        return false;
      }
      case CLIENT_INIT -> {
        head[0] = 1; // shared: never let one viewer disconnect the others
        stage = Stage.MESSAGES;
        return false;
      }
      default -> {
        return completeMessageHeader();
      }
    }
  }

  private boolean completeMessageHeader() {
    int type = head[0] & 0xff;
    switch (type) {
      case 2 -> bodyRemaining = 4L * u16(2);
      case 6 -> bodyRemaining = Math.abs((long) s32(4)); // negative: extended clipboard
      case 248 -> bodyRemaining = head[8] & 0xff;
      case 251 -> bodyRemaining = 16L * (head[6] & 0xff);
      default -> bodyRemaining = 0;
    }
    return switch (type) {
      case 4, 5, 6, 250, 251 -> true;
      case 255 -> (head[1] & 0xff) == 0;
      default -> false;
    };
  }

  private static int parseMinor(String version) {
    try {
      return Integer.parseInt(version.substring(8, 11));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private int u16(int at) {
    return ((head[at] & 0xff) << 8) | (head[at + 1] & 0xff);
  }

  private int s32(int at) {
    return ((head[at] & 0xff) << 24)
        | ((head[at + 1] & 0xff) << 16)
        | ((head[at + 2] & 0xff) << 8)
        | (head[at + 3] & 0xff);
  }
}
