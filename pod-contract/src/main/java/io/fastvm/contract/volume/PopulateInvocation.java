package io.fastvm.contract.volume;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The populator's command line ({@link PopulateLayout#POPULATE_COMMAND}): the contract between the
 * operator, which builds a populate Job's args with {@link #toArgs()}, and the populator, which
 * parses them with {@link #parse(List)}.
 *
 * @param volumeDir the Volume's PVC mount; the image is {@link #imageFile()}
 * @param format format of the image to make: {@code qcow2} or {@code raw}
 * @param sizeBytes virtual size wanted; an image that comes smaller is grown to it, one that comes
 *     bigger is refused
 * @param source where the image's content comes from
 * @param terminationLog file that receives the result (success) or the reason (failure); null for
 *     none
 */
public record PopulateInvocation(
    Path volumeDir, String format, long sizeBytes, Source source, Path terminationLog) {

  public static final String QCOW2 = "qcow2";
  public static final String RAW = "raw";

  /** The formats a Volume's image can have (and a copy's source). */
  public static final Set<String> FORMATS = Set.of(QCOW2, RAW);

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public PopulateInvocation {
    Objects.requireNonNull(volumeDir, "volumeDir");
    Objects.requireNonNull(source, "source");
    checkFormat("--format", format);
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("--size must be a positive number of bytes: " + sizeBytes);
    }
  }

  /** The Volume's image file in {@link #volumeDir()}. */
  public Path imageFile() {
    return volumeDir.resolve(PopulateLayout.IMAGE_FILE_NAME);
  }

  /** Where the content of a Volume's image comes from. */
  public sealed interface Source permits Blank, Http, Copy {
    /** One line naming this source, e.g. for a marker that records what a Volume holds. */
    String describe();
  }

  /** An empty image. */
  public record Blank() implements Source {
    @Override
    public String describe() {
      return "blank";
    }
  }

  /**
   * A download.
   *
   * @param url an {@code http} or {@code https} URL
   * @param sha256 the SHA-256 the downloaded bytes must have, 64 lowercase hex digits; null checks
   *     nothing and records the computed one (the CRD allows it only for https)
   */
  public record Http(String url, String sha256) implements Source {
    public Http {
      checkUrl(url);
      if (sha256 != null && !SHA256.matcher(sha256).matches()) {
        throw new IllegalArgumentException(
            "--sha256 must be 64 lowercase hex digits, not \"" + sha256 + "\"");
      }
    }

    public URI uri() {
      return URI.create(url);
    }

    @Override
    public String describe() {
      return "http " + url + (sha256 == null ? "" : " sha256=" + sha256);
    }
  }

  /**
   * An independent full copy of another image (another Volume's, mounted read-only).
   *
   * @param sourceFormat the source image's format: {@code qcow2} or {@code raw}
   */
  public record Copy(Path sourceImage, String sourceFormat) implements Source {
    public Copy {
      Objects.requireNonNull(sourceImage, "sourceImage");
      checkFormat("--copy-format", sourceFormat);
    }

    @Override
    public String describe() {
      return "copy " + sourceFormat + " " + sourceImage;
    }
  }

  private static void checkFormat(String option, String format) {
    if (format == null) {
      throw new IllegalArgumentException(option + " is required (qcow2 or raw)");
    }
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException(option + " must be qcow2 or raw, not " + format);
    }
  }

  private static void checkUrl(String url) {
    if (url == null || url.isEmpty()) {
      throw new IllegalArgumentException("--url is required for --source=http");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--url is not a valid URL: " + e.getMessage(), e);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
      throw new IllegalArgumentException("--url must be an http or https URL, not " + url);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("--url has no host: " + url);
    }
  }

  /** The arguments of {@code fastvm-populate} for this invocation. */
  public List<String> toArgs() {
    List<String> args = new ArrayList<>();
    args.add("--volume-dir=" + volumeDir);
    args.add("--format=" + format);
    args.add("--size=" + sizeBytes);
    switch (source) {
      case Blank b -> args.add("--source=blank");
      case Http http -> {
        args.add("--source=http");
        args.add("--url=" + http.url());
        if (http.sha256() != null) {
          args.add("--sha256=" + http.sha256());
        }
      }
      case Copy copy -> {
        args.add("--source=copy");
        args.add("--copy-from=" + copy.sourceImage());
        args.add("--copy-format=" + copy.sourceFormat());
      }
    }
    if (terminationLog != null) {
      args.add("--termination-log=" + terminationLog);
    }
    return args;
  }

  /** The populator's {@code --help} text. */
  public static String usage() {
    return USAGE;
  }

  private static final String USAGE =
      """
      Usage: fastvm-populate --volume-dir=DIR --format=qcow2|raw --size=BYTES --source=KIND [...]
      Makes a Volume's image DIR/disk.img; nothing half-written is ever named disk.img.
        --volume-dir=DIR         the Volume's PVC mount
        --format=qcow2|raw       format of the image
        --size=BYTES             virtual size (a smaller image is grown, a bigger one refused)
        --source=blank           an empty image
        --source=http --url=URL [--sha256=HEX]
                                 a download, checked against its SHA-256
        --source=copy --copy-from=FILE --copy-format=qcow2|raw
                                 an independent full copy of another image
        --termination-log=FILE   where the result (JSON) or the failure reason is written
      Prints "progress DONE TOTAL" lines while it works, then the result as JSON.
      Exit codes: 0 done, 2 invalid input or a permanent failure, 3 transient failures that
      outlasted the retries, 4 no space left.
      """;

  /** Options each source takes, besides the common ones. */
  private static final Map<String, Set<String>> SOURCE_OPTIONS =
      Map.of(
          "blank", Set.of(),
          "http", Set.of("--url", "--sha256"),
          "copy", Set.of("--copy-from", "--copy-format"));

  private static final Set<String> OPTIONS =
      Set.of(
          "--volume-dir",
          "--format",
          "--size",
          "--source",
          "--url",
          "--sha256",
          "--copy-from",
          "--copy-format",
          "--termination-log");

  /**
   * Parses the populator's arguments (the inverse of {@link #toArgs()}): {@code --name=value} or
   * {@code --name value}.
   *
   * @throws IllegalArgumentException with a message naming the bad argument
   */
  public static PopulateInvocation parse(List<String> args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + arg);
      }
      int eq = arg.indexOf('=');
      String name;
      String value;
      if (eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else if (OPTIONS.contains(arg) && i + 1 < args.size()) {
        name = arg;
        value = args.get(++i);
      } else if (OPTIONS.contains(arg)) {
        throw new IllegalArgumentException("missing value for " + arg);
      } else {
        throw new IllegalArgumentException("unknown option: " + arg);
      }
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException("unknown option: " + name);
      }
      if (values.put(name, value) != null) {
        throw new IllegalArgumentException(name + " is given twice");
      }
    }
    for (String required : List.of("--volume-dir", "--format", "--size", "--source")) {
      if (!values.containsKey(required)) {
        throw new IllegalArgumentException("missing required option " + required);
      }
    }
    String kind = values.get("--source");
    Set<String> allowed = SOURCE_OPTIONS.get(kind);
    if (allowed == null) {
      throw new IllegalArgumentException("--source must be blank, http or copy, not " + kind);
    }
    for (String name : values.keySet()) {
      boolean sourceOption =
          SOURCE_OPTIONS.values().stream().anyMatch(options -> options.contains(name));
      if (sourceOption && !allowed.contains(name)) {
        throw new IllegalArgumentException(name + " does not apply to --source=" + kind);
      }
    }
    Source source =
        switch (kind) {
          case "blank" -> new Blank();
          case "http" -> new Http(values.get("--url"), values.get("--sha256"));
          default -> {
            String from = values.get("--copy-from");
            if (from == null || from.isEmpty()) {
              throw new IllegalArgumentException("--copy-from is required for --source=copy");
            }
            yield new Copy(Path.of(from), values.get("--copy-format"));
          }
        };
    String log = values.get("--termination-log");
    return new PopulateInvocation(
        path("--volume-dir", values.get("--volume-dir")),
        values.get("--format"),
        size(values.get("--size")),
        source,
        log == null ? null : path("--termination-log", log));
  }

  private static Path path(String option, String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException(option + " must not be empty");
    }
    return Path.of(value);
  }

  private static long size(String value) {
    try {
      long size = Long.parseLong(value);
      if (size > 0) {
        return size;
      }
    } catch (NumberFormatException e) {
      // reported below, with the value
    }
    throw new IllegalArgumentException(
        "--size must be a positive number of bytes, not \"" + value + "\"");
  }
}
