package io.fastvm.cloudinit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads MIME multi-part user-data far enough to check its parts: each part's type, its text
 * (base64, quoted-printable and gzip undone, as cloud-init does) and the line where it starts.
 * Lenient where Python's email parser, which cloud-init uses, is lenient; an error only where
 * cloud-init would find no parts at all.
 */
final class MimeUserData {
  private MimeUserData() {}

  /**
   * One leaf part.
   *
   * @param contentType its declared type, lower case (text/plain when it declares none)
   * @param content its text, decoded
   * @param line 1-based line of the user-data where its body starts
   * @param encoded whether the body was transfer-encoded or compressed, so that lines within {@code
   *     content} are not lines of the user-data
   */
  record Part(String contentType, String content, int line, boolean encoded) {

    /**
     * What cloud-init makes of it ({@code user_data._process_msg}): text/plain and
     * text/x-shellscript parts are typed by their content, others by their Content-Type; null for a
     * type cloud-init has no handler for.
     */
    UserDataKind kind() {
      if (Set.of("text/plain", "text/x-not-multipart", "text/x-shellscript")
          .contains(contentType)) {
        UserDataKind byContent = UserDataKind.byContent(content);
        return byContent == UserDataKind.TEXT && contentType.equals("text/x-shellscript")
            ? UserDataKind.SCRIPT
            : byContent;
      }
      return UserDataKind.byMimeType(contentType);
    }
  }

  /** Not MIME that cloud-init can split into parts. */
  static final class FormatError extends Exception {
    final int line;

    FormatError(int line, String message) {
      super(message);
      this.line = line;
    }
  }

  /** cloud-init's DECOMP_TYPES: gzip-compressed parts, typed by their content once unpacked. */
  private static final Set<String> GZIP_TYPES =
      Set.of(
          "application/gzip",
          "application/gzip-compressed",
          "application/gzipped",
          "application/x-compress",
          "application/x-compressed",
          "application/x-gunzip",
          "application/x-gzip",
          "application/x-gzip-compressed");

  private static final int MAX_DEPTH = 8;

  static List<Part> parts(String userData) throws FormatError {
    String[] lines = userData.replace("\r\n", "\n").split("\n", -1);
    List<Part> out = new ArrayList<>();
    entity(lines, 0, lines.length, out, 0);
    return out;
  }

  /** The entity in lines [from, to): headers, a blank line, a body. */
  private static void entity(String[] lines, int from, int to, List<Part> out, int depth)
      throws FormatError {
    Map<String, String> headers = new HashMap<>();
    String last = null;
    int i = from;
    for (; i < to && !lines[i].isEmpty(); i++) {
      String line = lines[i];
      if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
        headers.merge(last, " " + line.strip(), String::concat);
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        break; // Python's email starts the body here (a missing blank line)
      }
      last = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      headers.put(last, line.substring(colon + 1).strip());
    }
    int body = i < to && lines[i].isEmpty() ? i + 1 : i;
    String[] type = parameters(headers.getOrDefault("content-type", "text/plain"));
    String mediaType = type[0].toLowerCase(Locale.ROOT);
    if (mediaType.startsWith("multipart/")) {
      if (depth >= MAX_DEPTH) {
        throw new FormatError(from + 1, "MIME parts nested deeper than " + MAX_DEPTH + " levels");
      }
      String boundary = parameter(type, "boundary");
      if (boundary == null || boundary.isEmpty()) {
        throw new FormatError(
            from + 1, "Content-Type " + mediaType + " has no boundary parameter: no parts");
      }
      multipart(lines, body, to, boundary, out, depth);
      return;
    }
    StringBuilder text = new StringBuilder();
    for (int j = body; j < to; j++) {
      text.append(j > body ? "\n" : "").append(lines[j]);
    }
    String encoding =
        headers.getOrDefault("content-transfer-encoding", "7bit").toLowerCase(Locale.ROOT);
    byte[] bytes =
        switch (encoding) {
          case "base64" -> {
            try {
              // Strict about the alphabet: the MIME decoder would skip garbage silently.
              yield Base64.getDecoder().decode(text.toString().replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
              throw new FormatError(body + 1, "base64 part is not base64: " + e.getMessage());
            }
          }
          case "quoted-printable" -> quotedPrintable(text.toString());
          default -> text.toString().getBytes(StandardCharsets.UTF_8);
        };
    boolean encoded = !encoding.matches("7bit|8bit|binary");
    if (GZIP_TYPES.contains(mediaType)) {
      bytes = gunzip(bytes, body + 1);
      mediaType = "text/plain";
      encoded = true;
    }
    out.add(new Part(mediaType, new String(bytes, StandardCharsets.UTF_8), body + 1, encoded));
  }

  private static void multipart(
      String[] lines, int from, int to, String boundary, List<Part> out, int depth)
      throws FormatError {
    String delimiter = "--" + boundary;
    int start = -1;
    for (int i = from; i < to; i++) {
      String line = lines[i].stripTrailing();
      boolean close = line.equals(delimiter + "--");
      if (close || line.equals(delimiter)) {
        if (start >= 0) {
          entity(lines, start, i, out, depth + 1);
        }
        if (close) {
          return;
        }
        start = i + 1;
      }
    }
    if (start < 0) {
      throw new FormatError(from + 1, "the boundary " + boundary + " never occurs: no parts");
    }
    entity(lines, start, to, out, depth + 1); // no closing delimiter: Python's email takes the rest
  }

  /** {@code type/subtype; name="value"; ...} as [type/subtype, name, value, ...]. */
  private static String[] parameters(String header) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\\' && quoted && i + 1 < header.length()) {
        current.append(header.charAt(++i));
      } else if (c == ';' && !quoted) {
        out.add(current.toString().strip());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    out.add(current.toString().strip());
    List<String> flat = new ArrayList<>();
    flat.add(out.get(0));
    for (String p : out.subList(1, out.size())) {
      int eq = p.indexOf('=');
      if (eq > 0) {
        flat.add(p.substring(0, eq).strip().toLowerCase(Locale.ROOT));
        flat.add(p.substring(eq + 1).strip());
      }
    }
    return flat.toArray(String[]::new);
  }

  private static String parameter(String[] type, String name) {
    for (int i = 1; i + 1 < type.length; i += 2) {
      if (type[i].equals(name)) {
        return type[i + 1];
      }
    }
    return null;
  }

  private static byte[] quotedPrintable(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] in = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '=' && i + 1 < in.length && in[i + 1] == '\n') {
        i++; // soft line break
      } else if (in[i] == '='
          && i + 2 < in.length
          && Character.digit(in[i + 1], 16) >= 0
          && Character.digit(in[i + 2], 16) >= 0) {
        out.write(Character.digit(in[i + 1], 16) * 16 + Character.digit(in[i + 2], 16));
        i += 2;
      } else {
        out.write(in[i]);
      }
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] bytes, int line) throws FormatError {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      // user-data is at most 256 KiB; a part that unpacks to more than 16 MiB is no seed.
      byte[] out = in.readNBytes(16 << 20);
      if (in.read() >= 0) {
        throw new FormatError(line, "gzip part unpacks to more than 16 MiB");
      }
      return out;
    } catch (IOException e) {
      throw new FormatError(line, "gzip part cannot be unpacked: " + e.getMessage());
    }
  }
}
