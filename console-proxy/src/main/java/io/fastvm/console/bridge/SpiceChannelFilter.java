package io.fastvm.console.bridge;

/**
 * Passes a SPICE channel through unchanged, reading the channel type from the client's
 * SpiceLinkMess (magic "REDQ", 16-byte header, then connection id and channel type) so that traffic
 * on the inputs channel counts as user activity. A stream that does not start like SPICE is closed.
 */
public final class SpiceChannelFilter implements ClientStreamFilter {
  /** SPICE channel type of keyboard and mouse (spice-protocol enums.h). */
  public static final int INPUTS = 3;

  private static final int TYPE_OFFSET = 16 + 4;
  private final byte[] link = new byte[TYPE_OFFSET + 1];
  private int seen;
  private int channelType = -1;

  @Override
  public FilterResult filter(byte[] data) {
    if (channelType < 0) {
      int n = Math.min(data.length, link.length - seen);
      System.arraycopy(data, 0, link, seen, n);
      seen += n;
      if (seen >= 4 && !(link[0] == 'R' && link[1] == 'E' && link[2] == 'D' && link[3] == 'Q')) {
        return FilterResult.violation("not a SPICE link message");
      }
      if (seen == link.length) {
        channelType = link[TYPE_OFFSET] & 0xff;
      }
    }
    return new FilterResult(data, channelType == INPUTS, null);
  }

  /** The channel type, or -1 before the link message arrived. */
  public int channelType() {
    return channelType;
  }
}
