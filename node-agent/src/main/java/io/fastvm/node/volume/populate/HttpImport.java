package io.fastvm.node.volume.populate;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Downloads one URL to a file with {@link HttpClient}, computing its SHA-256 as the bytes stream
 * by. Transient failures (HTTP 5xx, 408, 429, a connection refused, reset, cut or stalled, fewer
 * bytes than Content-Length) are retried with back-off: from the bytes already written with a
 * {@code Range} request when the server answers 206, keeping the running digest; else from zero.
 * Everything else (4xx, an untrusted TLS certificate, a checksum mismatch) is permanent.
 *
 * <p>Throughput: 1 MiB reads, one positional write per run of data and the digest are the only work
 * per chunk; nothing is synced until the end.
 */
public final class HttpImport {

  /**
   * @param attempts how many failed attempts in a row (without new bytes kept) end the download
   * @param firstDelay back-off before the second attempt, doubled for each further one
   * @param maxDelay cap of the back-off (and of a server's Retry-After)
   * @param stallTimeout a response that sends no byte for this long is given up (and retried)
   * @param bufferSize bytes read per chunk
   */
  public record Settings(
      int attempts,
      Duration firstDelay,
      Duration maxDelay,
      Duration connectTimeout,
      Duration stallTimeout,
      int bufferSize) {

    /** 5 attempts, 1 s doubling: at most 15 s of back-off when nothing comes through. */
    public static Settings defaults() {
      return new Settings(
          5,
          Duration.ofSeconds(1),
          Duration.ofSeconds(16),
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          1 << 20);
    }
  }

  /** A complete download: its length and SHA-256 (lowercase hex). */
  public record Download(long bytes, String sha256) {}

  /** Writing the download to its file failed (the file system, not the network). */
  public static final class WriteFailure extends IOException {
    private final long written;
    private final long expectedTotal;

    WriteFailure(IOException cause, long written, long expectedTotal) {
      super(cause.getMessage(), cause);
      this.written = written;
      this.expectedTotal = expectedTotal;
    }

    /** Bytes written before it failed. */
    public long written() {
      return written;
    }

    /** The download's size from Content-Length, or -1. */
    public long expectedTotal() {
      return expectedTotal;
    }
  }

  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private final Settings settings;
  private final ProgressReporter progress;
  private final Consumer<String> log;

  /**
   * @param log receives one line per retry (why, and when the next attempt starts)
   */
  public HttpImport(Settings settings, ProgressReporter progress, Consumer<String> log) {
    this.settings = settings;
    this.progress = progress;
    this.log = log;
  }

  /**
   * Downloads {@code url} to {@code target} (created or emptied), forced to disk when it returns.
   *
   * @param expectedSha256 lowercase hex the bytes must hash to; null checks nothing
   * @throws PopulateException for a failure of the server, the network or the checksum
   * @throws WriteFailure when writing {@code target} fails (e.g. the file system is full)
   */
  public Download download(URI url, String expectedSha256, Path target)
      throws PopulateException, WriteFailure, InterruptedException {
    Transfer transfer = new Transfer(url, expectedSha256 != null);
    try (HttpClient client = newClient();
        SparseFileWriter out = SparseFileWriter.create(target);
        StallWatchdog watchdog = new StallWatchdog(settings.stallTimeout())) {
      transfer.out = out;
      int failures = 0;
      while (true) {
        long before = transfer.done;
        try {
          attempt(client, transfer, watchdog);
          break;
        } catch (Retry retry) {
          boolean keptNewBytes = transfer.done > before && transfer.resumable();
          failures = keptNewBytes ? 1 : failures + 1;
          if (failures >= settings.attempts()) {
            throw PopulateException.transientFailure(
                "downloading "
                    + url
                    + " failed "
                    + failures
                    + " times in a row, last: "
                    + retry.getMessage());
          }
          Duration delay = delay(failures, retry.retryAfter);
          log.accept(
              retry.getMessage()
                  + "; retrying in "
                  + delay.toMillis()
                  + " ms"
                  + (transfer.done > 0 && transfer.resumable()
                      ? " from byte " + transfer.done
                      : " from the start"));
          Thread.sleep(delay);
        }
      }
      String sha256 = HexFormat.of().formatHex(transfer.digest.digest());
      if (expectedSha256 != null && !expectedSha256.equals(sha256)) {
        throw PopulateException.permanent(
            "checksum mismatch for "
                + url
                + ": expected SHA-256 "
                + expectedSha256
                + ", got "
                + sha256
                + " ("
                + transfer.done
                + " bytes)");
      }
      try {
        out.finish(transfer.done);
      } catch (IOException e) {
        throw new WriteFailure(e, transfer.done, transfer.total);
      }
      progress.finish(transfer.done, transfer.done);
      return new Download(transfer.done, sha256);
    } catch (WriteFailure | PopulateException e) {
      throw e;
    } catch (IOException e) {
      // Creating or closing the file.
      throw new WriteFailure(e, transfer.done, transfer.total);
    }
  }

  private HttpClient newClient() {
    return HttpClient.newBuilder()
        // NORMAL: redirects, but never from https to http.
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(settings.connectTimeout())
        // HTTP/1.1: Content-Length and a cut connection mean one thing, and a plain-http URL gets
        // no h2c upgrade attempt that some servers mishandle.
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /** What one download has got so far, across attempts. */
  private static final class Transfer {
    final URI url;
    final boolean checked;
    final MessageDigest digest = sha256();
    SparseFileWriter out;
    long done;
    long total = -1;
    boolean rangeRefused;
    String validator;

    Transfer(URI url, boolean checked) {
      this.url = url;
      this.checked = checked;
    }

    /**
     * Whether the next attempt may continue from {@link #done}: the server did not refuse ranges,
     * and a change of the file between attempts cannot go unnoticed (the expected checksum, or
     * If-Range with the first response's validator, would catch it).
     */
    boolean resumable() {
      return !rangeRefused && (checked || validator != null);
    }

    void restart() throws WriteFailure {
      try {
        out.reset();
      } catch (IOException e) {
        throw new WriteFailure(e, done, total);
      }
      digest.reset();
      done = 0;
    }
  }

  /** A transient failure: worth another attempt. */
  private static final class Retry extends Exception {
    final Duration retryAfter;

    Retry(String message, Duration retryAfter) {
      super(message);
      this.retryAfter = retryAfter;
    }

    Retry(String message) {
      this(message, null);
    }
  }

  private void attempt(HttpClient client, Transfer transfer, StallWatchdog watchdog)
      throws Retry, PopulateException, WriteFailure, InterruptedException {
    if (transfer.done > 0 && !transfer.resumable()) {
      transfer.restart();
    }
    long offset = transfer.done;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(transfer.url).GET().timeout(settings.stallTimeout());
    if (offset > 0) {
      request.header("Range", "bytes=" + offset + "-");
      if (transfer.validator != null) {
        request.header("If-Range", transfer.validator);
      }
    }
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw new Retry(
          "no response from " + transfer.url.getHost() + " within " + settings.stallTimeout());
    } catch (ConnectException e) {
      throw new Retry(
          hasCause(e, UnresolvedAddressException.class)
              ? "cannot resolve " + transfer.url.getHost()
              : "cannot connect to "
                  + hostPort(transfer.url)
                  + " (connection refused or unreachable)");
    } catch (SSLException e) {
      String why = "TLS with " + hostPort(transfer.url) + " failed: " + describe(e);
      // A connection lost during the handshake is worth another try; a certificate that is not
      // trusted, or a server that does not speak TLS, is not.
      if (hasCause(e, SocketException.class) || hasCause(e, EOFException.class)) {
        throw new Retry(why);
      }
      throw PopulateException.permanent(why, e);
    } catch (IOException e) {
      throw new Retry("request to " + hostPort(transfer.url) + " failed: " + describe(e));
    } catch (IllegalArgumentException e) {
      throw PopulateException.permanent("cannot request " + transfer.url + ": " + e.getMessage());
    }
    InputStream body = response.body();
    try {
      accept(response, transfer, offset);
      receive(body, transfer, watchdog, response.uri());
    } finally {
      try {
        body.close();
      } catch (IOException e) {
        // closing the body of a response we are done with or gave up on
      }
    }
  }

  /** Checks a response's status and headers; positions the transfer where its body starts. */
  private void accept(HttpResponse<?> response, Transfer transfer, long offset)
      throws Retry, PopulateException, WriteFailure {
    int status = response.statusCode();
    HttpHeaders headers = response.headers();
    String from = " from " + response.uri();
    if (status == 408 || status == 429 || status >= 500) {
      throw new Retry("HTTP " + status + from, retryAfter(headers));
    }
    if (status == 416 && offset > 0) {
      // The file shrank or changed between attempts: start over without Range.
      transfer.rangeRefused = true;
      transfer.restart();
      throw new Retry("HTTP 416 for a range starting at byte " + offset + from);
    }
    if (status != 200 && !(status == 206 && offset > 0)) {
      throw PopulateException.permanent(
          "HTTP " + status + from + (status == 206 ? " without a Range request" : ""));
    }
    Optional<String> encoding = headers.firstValue("Content-Encoding");
    if (encoding.isPresent() && !encoding.get().equalsIgnoreCase("identity")) {
      throw PopulateException.permanent(
          "the server sent the image with Content-Encoding " + encoding.get() + from);
    }
    long length = headers.firstValueAsLong("Content-Length").orElse(-1);
    if (status == 206) {
      Matcher range = CONTENT_RANGE.matcher(headers.firstValue("Content-Range").orElse(""));
      if (!range.matches() || Long.parseLong(range.group(1)) != offset) {
        transfer.rangeRefused = true;
        transfer.restart();
        throw new Retry(
            "HTTP 206 with Content-Range "
                + headers.firstValue("Content-Range").orElse("(none)")
                + " for a range starting at byte "
                + offset
                + from);
      }
      transfer.total = length >= 0 ? offset + length : -1;
    } else {
      if (offset > 0) {
        // The server ignored the range (or the file changed: If-Range): the body is all of it.
        transfer.rangeRefused = true;
        transfer.restart();
      }
      transfer.validator = validator(headers);
      transfer.total = length;
    }
  }

  private void receive(InputStream body, Transfer transfer, StallWatchdog watchdog, URI from)
      throws Retry, PopulateException, WriteFailure {
    byte[] buffer = new byte[settings.bufferSize()];
    watchdog.watch(body);
    try {
      while (true) {
        int filled = 0;
        boolean end = false;
        try {
          while (filled < buffer.length) {
            int n = body.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
              end = true;
              break;
            }
            filled += n;
            watchdog.touch();
          }
        } catch (IOException e) {
          // Keep what came before the failure: it is written below, and resumed after.
          keep(transfer, buffer, filled);
          String why =
              watchdog.stalled()
                  ? "no data for " + settings.stallTimeout().toSeconds() + " s"
                  : "the connection failed (" + describe(e) + ")";
          throw new Retry(why + " after " + received(transfer) + " from " + from);
        }
        keep(transfer, buffer, filled);
        if (transfer.total >= 0 && transfer.done > transfer.total) {
          throw PopulateException.permanent(
              "the server sent more than its Content-Length of "
                  + transfer.total
                  + " bytes"
                  + from);
        }
        if (end) {
          break;
        }
      }
    } finally {
      watchdog.unwatch();
    }
    if (transfer.total >= 0 && transfer.done < transfer.total) {
      throw new Retry("the connection closed after " + received(transfer) + " from " + from);
    }
  }

  private void keep(Transfer transfer, byte[] buffer, int length) throws WriteFailure {
    if (length == 0) {
      return;
    }
    try {
      transfer.out.write(buffer, 0, length, transfer.done);
    } catch (IOException e) {
      throw new WriteFailure(e, transfer.done, transfer.total);
    }
    transfer.digest.update(buffer, 0, length);
    transfer.done += length;
    progress.update(transfer.done, transfer.total);
  }

  private static String received(Transfer transfer) {
    return transfer.total >= 0
        ? transfer.done + " of the " + transfer.total + " bytes its Content-Length promised"
        : transfer.done + " bytes (no Content-Length)";
  }

  /** A strong ETag, else Last-Modified: what If-Range compares to resume only the same file. */
  private static String validator(HttpHeaders headers) {
    Optional<String> etag = headers.firstValue("ETag");
    if (etag.isPresent() && !etag.get().startsWith("W/")) {
      return etag.get();
    }
    return headers.firstValue("Last-Modified").orElse(null);
  }

  private static Duration retryAfter(HttpHeaders headers) {
    try {
      return headers
          .firstValue("Retry-After")
          .map(v -> Duration.ofSeconds(Long.parseLong(v.strip())))
          .orElse(null);
    } catch (NumberFormatException e) {
      return null; // an HTTP date: the back-off applies
    }
  }

  private Duration delay(int failures, Duration retryAfter) {
    Duration backOff = settings.firstDelay().multipliedBy(1L << Math.min(failures - 1, 20));
    Duration delay = retryAfter != null && retryAfter.compareTo(backOff) > 0 ? retryAfter : backOff;
    return delay.compareTo(settings.maxDelay()) > 0 ? settings.maxDelay() : delay;
  }

  private static String hostPort(URI url) {
    return url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
  }

  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message == null || text.indexOf(message) >= 0) {
        if (text.isEmpty()) {
          text.append(t.getClass().getSimpleName());
        }
        continue;
      }
      if (!text.isEmpty()) {
        text.append(": ");
      }
      text.append(message);
    }
    return text.toString();
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
