package io.fastvm.console.bridge;

/**
 * What a client stream filter made of a chunk from the browser.
 *
 * @param forward the bytes to send on to the VM
 * @param userInput whether the chunk held user input (keys, pointer, clipboard, typed text), which
 *     keeps the session from idling
 * @param violation non-null when the stream cannot be filtered safely; the connection is closed
 */
public record FilterResult(byte[] forward, boolean userInput, String violation) {
  static final byte[] NONE = new byte[0];

  static FilterResult violation(String why) {
    return new FilterResult(NONE, false, why);
  }
}
