package io.fastvm.contract.console;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The few bytes the console-proxy and a VM pod's console endpoint exchange on a fresh mutual-TLS
 * connection, before the console's own bytes flow unchanged both ways:
 *
 * <pre>
 * proxy    → endpoint: "FASTVM-CONSOLE/1 " channel "\n"    channel: vnc | spice | serial
 * endpoint → proxy:    "OK\n"  or  "ERR " reason "\n" and close
 * </pre>
 *
 * One connection carries one channel (one SPICE channel, one VNC client, one serial viewer). ASCII,
 * at most {@link #MAX_LINE} bytes per line. The reply tells the proxy whether the socket behind it
 * could be opened before it reports the console as connected.
 */
public final class EndpointProtocol {
  private EndpointProtocol() {}

  public static final String MAGIC = "FASTVM-CONSOLE/1";
  public static final int MAX_LINE = 64;
  public static final String OK = "OK";
  public static final String ERR = "ERR";

  /** Reasons an endpoint gives in its ERR line. */
  public static final String ERR_BAD_REQUEST = "bad-request";

  public static final String ERR_UNAVAILABLE = "unavailable";

  public static byte[] request(ConsoleChannel channel) {
    return (MAGIC + " " + channel.wireName() + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The channel a request line (without its newline) asks for, empty if it is malformed. */
  public static Optional<ConsoleChannel> parseRequest(String line) {
    if (line == null || !line.startsWith(MAGIC + " ")) {
      return Optional.empty();
    }
    return ConsoleChannel.parse(line.substring(MAGIC.length() + 1));
  }

  public static byte[] ok() {
    return (OK + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  public static byte[] error(String reason) {
    return (ERR + " " + reason + "\n").getBytes(StandardCharsets.US_ASCII);
  }
}
