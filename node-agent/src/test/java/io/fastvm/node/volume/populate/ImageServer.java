package io.fastvm.node.volume.populate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on 127.0.0.1 (a port the system picks) serving images, and misbehaving on
 * request: each path has a plan saying what its n-th request gets. It records every request's Range
 * header, so tests can count requests and see resumption.
 */
public final class ImageServer implements AutoCloseable {

  /** What one request gets. */
  public sealed interface Reply {}

  /** The content (a 206 for a Range request when the path supports ranges). */
  public record Ok() implements Reply {}

  /** Headers for the whole reply, then half of it, then the connection is closed. */
  public record Cut() implements Reply {}

  /** Headers claiming {@code extra} more bytes than there are, all there is, then a close. */
  public record Lie(int extra) implements Reply {}

  /**
   * Headers, half of the reply, then nothing (the connection stays open) until the server stops.
   */
  public record Stall() implements Reply {}

  /** A status without a body, with extra headers (e.g. Location, Retry-After). */
  public record Status(int code, Map<String, String> headers) implements Reply {
    public Status(int code) {
      this(code, Map.of());
    }
  }

  /** What a path serves. */
  private record Resource(byte[] content, boolean ranges, String etag, IntFunction<Reply> plan) {}

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Resource> resources = new ConcurrentHashMap<>();
  private final Map<String, List<String>> requests = new ConcurrentHashMap<>();
  private final CountDownLatch stopping = new CountDownLatch(1);

  private ImageServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public static ImageServer start() throws IOException {
    return new ImageServer();
  }

  /** Serves {@code content} at {@code path}, always well. */
  public URI serve(String path, byte[] content) {
    return serve(path, content, true, n -> new Ok());
  }

  /**
   * Serves {@code content} at {@code path}.
   *
   * @param ranges whether Range requests get a 206 (else they get the whole content, 200)
   * @param plan what the n-th request (from 1) gets
   */
  public URI serve(String path, byte[] content, boolean ranges, IntFunction<Reply> plan) {
    resources.put(
        path, new Resource(content, ranges, "\"" + TestImages.sha256(content) + "\"", plan));
    return uri(path);
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  /** How many requests {@code path} got. */
  public int requests(String path) {
    return rangesOf(path).size();
  }

  /** The Range header of each request to {@code path} ("" for none), in order. */
  public List<String> rangesOf(String path) {
    List<String> list = requests.get(path);
    if (list == null) {
      return List.of();
    }
    synchronized (list) {
      return List.copyOf(list);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String range = exchange.getRequestHeaders().getFirst("Range");
    List<String> seen = requests.computeIfAbsent(path, p -> new ArrayList<>());
    int n;
    synchronized (seen) {
      seen.add(range == null ? "" : range);
      n = seen.size();
    }
    Resource resource = resources.get(path);
    try (exchange) {
      if (resource == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      Reply reply = resource.plan().apply(n);
      if (reply instanceof Status status) {
        status.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status.code(), -1);
        return;
      }
      byte[] content = resource.content();
      int start = 0;
      Matcher m = range == null ? null : RANGE.matcher(range);
      String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
      boolean partial =
          resource.ranges()
              && m != null
              && m.matches()
              && (ifRange == null || ifRange.equals(resource.etag()));
      exchange.getResponseHeaders().set("ETag", resource.etag());
      if (resource.ranges()) {
        exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
      }
      if (partial) {
        start = Integer.parseInt(m.group(1));
        if (start >= content.length) {
          exchange.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
          exchange.sendResponseHeaders(416, -1);
          return;
        }
        exchange
            .getResponseHeaders()
            .set(
                "Content-Range",
                "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
      }
      int length = content.length - start;
      int status = partial ? 206 : 200;
      OutputStream body = exchange.getResponseBody();
      switch (reply) {
        case Ok ok -> {
          exchange.sendResponseHeaders(status, length);
          body.write(content, start, length);
        }
        case Cut cut -> {
          exchange.sendResponseHeaders(status, length);
          body.write(content, start, length / 2);
          body.flush();
        }
        case Lie lie -> {
          exchange.sendResponseHeaders(status, length + lie.extra());
          body.write(content, start, length);
          body.flush();
        }
        case Stall stall -> {
          exchange.sendResponseHeaders(status, length);
          body.write(content, start, length / 2);
          body.flush();
          stopping.await();
        }
        case Status s -> throw new AssertionError(s);
      }
    } catch (IOException e) {
      // A cut reply closes with fewer bytes than announced: the server says so; that is the point.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopping.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
