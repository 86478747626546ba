package io.fastvm.console.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmarks the console-proxy side by side with Debian's websockify on the same synthetic VNC
 * sockets (bench/console/run.sh runs it; results go to docs/benchmarks.md). Each part runs in its
 * own process: the VM side (mock API server, mTLS endpoints, sockets), the proxy (its real main),
 * websockify, and this client. Measures: throughput of one and of four streams, round-trip latency
 * of small messages against a direct unix-socket baseline, CPU of the proxy process during those,
 * and memory and CPU with 1000 idle sessions.
 */
public final class ConsoleBench {
  static final byte[] HANDSHAKE =
      concat("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII), new byte[] {1, 1});
  static final byte[] UPDATE_REQUEST = {3, 1, 0, 0, 0, 0, 5, 0, 3, 0x20};

  final Path dir;
  final int sessions;
  final int seconds;
  final int messages;
  final List<Process> processes = new ArrayList<>();
  final Vertx vertx = Vertx.vertx();
  final HttpClient ws =
      vertx.createHttpClient(
          new HttpClientOptions()
              .setMaxWebSockets(10_000)
              .setMaxWebSocketFrameSize(1 << 20)
              .setMaxWebSocketMessageSize(64 << 20)
              .setTcpNoDelay(true));
  final java.net.http.HttpClient http =
      java.net.http.HttpClient.newBuilder()
          .followRedirects(java.net.http.HttpClient.Redirect.NEVER)
          .build();
  JsonObject vmSide;
  Process vmSideProcess;
  Process proxy;
  int proxyPort;
  Process websockifyStream;
  Process websockifyEcho;
  int websockifyStreamPort;
  int websockifyEchoPort;

  ConsoleBench(Path dir, int sessions, int seconds, int messages) {
    this.dir = dir;
    this.sessions = sessions;
    this.seconds = seconds;
    this.messages = messages;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new java.util.HashMap<>();
    for (String arg : args) {
      String[] kv = arg.replaceFirst("^--", "").split("=", 2);
      options.put(kv[0], kv.length > 1 ? kv[1] : "true");
    }
    Path dir = Files.createDirectories(Path.of(options.getOrDefault("dir", "target/bench")));
    ConsoleBench bench =
        new ConsoleBench(
            dir,
            Integer.parseInt(options.getOrDefault("sessions", "1000")),
            Integer.parseInt(options.getOrDefault("seconds", "10")),
            Integer.parseInt(options.getOrDefault("messages", "20000")));
    Runtime.getRuntime().addShutdownHook(new Thread(bench::stopAll));
    JsonObject results;
    try {
      results =
          bench.run(
              options.getOrDefault(
                  "proxy-jvm-options", "-Xms64m -Xmx256m -XX:+UseSerialGC -Xss512k"));
    } finally {
      bench.stopAll();
    }
    String json = results.encodePrettily();
    System.out.println(json);
    Files.writeString(dir.resolve("results.json"), json);
    System.exit(0);
  }

  JsonObject run(String proxyJvmOptions) throws Exception {
    JsonObject results = new JsonObject();
    results.put("machine", machine());
    results.put("proxyJvmOptions", proxyJvmOptions);
    startVmSide();
    startProxy(proxyJvmOptions);
    startWebsockify();

    // Warm up both paths (JIT, pools) and throw the numbers away.
    for (int i = 0; i < 2; i++) {
      latency(fastvmSession("echo"));
      latency(websockifyUrl(websockifyEchoPort), Map.of());
      throughput(1, () -> fastvmSession("stream"), proxy);
      throughput(
          1, () -> new Target(websockifyUrl(websockifyStreamPort), Map.of()), websockifyStream);
    }

    JsonObject latency = new JsonObject();
    latency.put("direct", direct());
    latency.put("websockify", latency(websockifyUrl(websockifyEchoPort), Map.of()));
    latency.put("fastvm", latency(fastvmSession("echo")));
    results.put("latency", latency);

    JsonObject throughput = new JsonObject();
    for (int streams : new int[] {1, 4}) {
      throughput.put(
          "websockify-" + streams,
          throughput(
              streams,
              () -> new Target(websockifyUrl(websockifyStreamPort), Map.of()),
              websockifyStream));
      throughput.put(
          "fastvm-" + streams, throughput(streams, () -> fastvmSession("stream"), proxy));
    }
    results.put("throughput", throughput);

    JsonObject idle = new JsonObject();
    idle.put("fastvm", idleSessions(() -> fastvmSession("echo"), proxy));
    idle.put(
        "websockify",
        idleSessions(
            () -> new Target(websockifyUrl(websockifyEchoPort), Map.of()), websockifyEcho));
    results.put("idle", idle);
    return results;
  }

  /** A WebSocket to open: URL and headers (session cookie, Origin). */
  record Target(String url, Map<String, String> headers) {}

  interface TargetSource {
    Target next() throws Exception;
  }

  // ---- processes ----

  void startVmSide() throws Exception {
    Process vm =
        new ProcessBuilder(
                java(),
                "-Xmx512m",
                "-cp",
                classpath(),
                BenchVmSide.class.getName(),
                dir.resolve("vm").toString())
            .redirectError(dir.resolve("vm-side.log").toFile())
            .start();
    processes.add(vm);
    vmSideProcess = vm;
    BufferedReader out = new BufferedReader(new InputStreamReader(vm.getInputStream()));
    String line = out.readLine();
    if (line == null) {
      throw new IOException("the VM side did not start; see " + dir.resolve("vm-side.log"));
    }
    vmSide = new JsonObject(line);
  }

  static final Pattern PROXY_LISTENING =
      Pattern.compile("console-proxy listening on http://127\\.0\\.0\\.1:(\\d+)");

  /**
   * Starts the proxy's real main. Its browser-facing port is 0 and read back from its log; its
   * management port cannot be 0 (that turns it off), so a free one is picked and, should another
   * process bind it first (the proxy then fails to start), picked again.
   */
  void startProxy(String jvmOptions) throws Exception {
    for (int attempt = 1; ; attempt++) {
      int management = freePort();
      Path log = dir.resolve("proxy.log");
      List<String> command = new ArrayList<>();
      command.add(java());
      command.addAll(Arrays.asList(jvmOptions.trim().split("\\s+")));
      command.addAll(
          List.of(
              "-cp",
              classpath(),
              "-Dkubernetes.master=" + vmSide.getString("api"),
              "-Dkubernetes.auth.tryKubeConfig=false",
              "-Dkubernetes.auth.tryServiceAccount=false",
              "-Dkubernetes.namespace=fastvm-system",
              "io.fastvm.console.ConsoleProxyMain"));
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      Map<String, String> env = builder.environment();
      env.put("FASTVM_CONSOLE_LISTEN_HOST", "127.0.0.1");
      env.put("FASTVM_CONSOLE_PORT", "0");
      env.put("FASTVM_CONSOLE_MANAGEMENT_PORT", Integer.toString(management));
      env.put("FASTVM_CONSOLE_NAMESPACE", "fastvm-system");
      env.put("FASTVM_CONSOLE_BACKEND_TLS_DIR", vmSide.getString("backendTlsDir"));
      env.put("FASTVM_CONSOLE_BACKEND_PORT", vmSide.getInteger("endpointPort").toString());
      env.put("FASTVM_CONSOLE_MAX_SESSIONS_PER_USER", "100000");
      env.put("FASTVM_CONSOLE_MAX_SESSIONS_PER_VM", "100000");
      env.put("FASTVM_CONSOLE_MINTS_PER_USER_PER_MINUTE", "100000");
      env.put("FASTVM_CONSOLE_MINTS_PER_VM_PER_MINUTE", "100000");
      env.put("FASTVM_CONSOLE_EVENT_LOOPS", "2");
      proxy = builder.start();
      processes.add(proxy);
      String port = awaitLog(log, PROXY_LISTENING, proxy);
      if (port != null) {
        proxyPort = Integer.parseInt(port);
        awaitHttp("http://127.0.0.1:" + management + "/healthz");
        return;
      }
      processes.remove(proxy);
      if (attempt == 10 || !Files.readString(log).contains("Address already in use")) {
        throw new IOException("the proxy did not start; see " + log);
      }
    }
  }

  /**
   * Starts websockify for both sockets. It cannot listen on a port of its own choosing and say
   * which, so each gets a free port and, should another process bind it first (websockify then
   * exits), another one.
   */
  void startWebsockify() throws Exception {
    Listening stream = websockify(vmSide.getString("streamSocket"));
    websockifyStream = stream.process();
    websockifyStreamPort = stream.port();
    Listening echo = websockify(vmSide.getString("echoSocket"));
    websockifyEcho = echo.process();
    websockifyEchoPort = echo.port();
  }

  record Listening(Process process, int port) {}

  Listening websockify(String socket) throws Exception {
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      Path log = dir.resolve("websockify-" + port + ".log");
      Process process =
          new ProcessBuilder("websockify", "--unix-target=" + socket, "127.0.0.1:" + port)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      processes.add(process);
      if (awaitPort(port, process)) {
        return new Listening(process, port);
      }
      processes.remove(process);
      if (attempt == 10 || !Files.readString(log).contains("Address already in use")) {
        throw new IOException("websockify did not start; see " + log);
      }
    }
  }

  /**
   * The first group of {@code pattern} once {@code log} has it; null when the process ends first.
   */
  static String awaitLog(Path log, Pattern pattern, Process process) throws Exception {
    for (int i = 0; i < 1200; i++) {
      boolean alive = process.isAlive();
      Matcher matcher = pattern.matcher(Files.exists(log) ? Files.readString(log) : "");
      if (matcher.find()) {
        return matcher.group(1);
      }
      if (!alive) {
        return null;
      }
      Thread.sleep(50);
    }
    throw new IOException("no " + pattern + " in " + log);
  }

  void stopAll() {
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
    for (Process process : processes) {
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }

  // ---- sessions ----

  String websockifyUrl(int port) {
    return "ws://127.0.0.1:" + port + "/";
  }

  Target fastvmSession(String vm) throws Exception {
    String origin = "http://127.0.0.1:" + proxyPort;
    HttpResponse<String> minted =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        origin + "/api/v1/namespaces/bench/virtualmachines/" + vm + "/console"))
                .header("Authorization", "Bearer bench-token")
                .POST(HttpRequest.BodyPublishers.ofString("{\"protocol\":\"vnc\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (minted.statusCode() != 201) {
      throw new IOException("mint: " + minted.statusCode() + " " + minted.body());
    }
    String link = new JsonObject(minted.body()).getString("url");
    HttpResponse<String> redeemed =
        http.send(
            HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.ofString());
    String cookie = redeemed.headers().firstValue("Set-Cookie").orElseThrow();
    String location = redeemed.headers().firstValue("Location").orElseThrow();
    String base = location.substring(0, location.lastIndexOf('/') + 1);
    return new Target(
        "ws://127.0.0.1:" + proxyPort + base + "ws/vnc",
        Map.of("Origin", origin, "Cookie", cookie.substring(0, cookie.indexOf(';'))));
  }

  Future<WebSocket> connect(Target target) {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setAbsoluteURI(target.url()).addSubProtocol("binary");
    target.headers().forEach(options::addHeader);
    return ws.webSocket(options);
  }

  // ---- scenarios ----

  /** Round trips of a 10-byte message on a unix socket straight to the echo source. */
  JsonObject direct() throws Exception {
    try (SocketChannel channel =
        SocketChannel.open(UnixDomainSocketAddress.of(vmSide.getString("echoSocket")))) {
      long[] rtts = new long[messages];
      ByteBuffer reply = ByteBuffer.allocate(UPDATE_REQUEST.length);
      for (int i = -messages / 10; i < messages; i++) {
        long start = System.nanoTime();
        channel.write(ByteBuffer.wrap(UPDATE_REQUEST));
        reply.clear();
        while (reply.hasRemaining()) {
          channel.read(reply);
        }
        if (i >= 0) {
          rtts[i] = System.nanoTime() - start;
        }
      }
      return percentiles(rtts);
    }
  }

  JsonObject latency(String url, Map<String, String> headers) throws Exception {
    return latency(new Target(url, headers));
  }

  /** Round trips of a 10-byte FramebufferUpdateRequest through a proxy to the echo source. */
  JsonObject latency(Target target) throws Exception {
    WebSocket socket =
        connect(target).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    long[] rtts = new long[messages];
    int warmup = messages / 10;
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicLong received = new AtomicLong();
    long[] state = {-warmup - 1, 0, 0}; // message index, send time, bytes expected
    Runnable[] sendNext = new Runnable[1];
    sendNext[0] =
        () -> {
          state[0]++;
          if (state[0] >= messages) {
            done.complete(null);
            return;
          }
          state[1] = System.nanoTime();
          state[2] = received.get() + UPDATE_REQUEST.length;
          socket.writeBinaryMessage(Buffer.buffer(UPDATE_REQUEST));
        };
    socket.handler(
        data -> {
          long total = received.addAndGet(data.length());
          if (state[0] < -warmup) {
            if (total >= HANDSHAKE.length) { // the echoed handshake: start measuring
              received.set(total - HANDSHAKE.length);
              sendNext[0].run();
            }
            return;
          }
          if (total >= state[2]) {
            if (state[0] >= 0) {
              rtts[(int) state[0]] = System.nanoTime() - state[1];
            }
            sendNext[0].run();
          }
        });
    socket.writeBinaryMessage(Buffer.buffer(HANDSHAKE));
    done.get(5, TimeUnit.MINUTES);
    socket.close();
    return percentiles(rtts);
  }

  /** Bytes per second from the streaming source through a proxy, and the proxy's CPU. */
  JsonObject throughput(int streams, TargetSource targets, Process server) throws Exception {
    List<RawWebSocketReader> sockets = new ArrayList<>();
    AtomicLong bytes = new AtomicLong();
    for (int i = 0; i < streams; i++) {
      Target target = targets.next();
      sockets.add(new RawWebSocketReader(target.url(), target.headers(), bytes));
    }
    Thread.sleep(2000); // warm up
    long cpuBefore = cpuNanos(server.toHandle());
    long vmBefore = cpuNanos(vmSideProcess.toHandle());
    long clientBefore = cpuNanos(ProcessHandle.current());
    long bytesBefore = bytes.get();
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long elapsed = System.nanoTime() - start;
    long moved = bytes.get() - bytesBefore;
    long cpu = cpuNanos(server.toHandle()) - cpuBefore;
    long vmCpu = cpuNanos(vmSideProcess.toHandle()) - vmBefore;
    long clientCpu = cpuNanos(ProcessHandle.current()) - clientBefore;
    for (RawWebSocketReader socket : sockets) {
      socket.close();
    }
    Thread.sleep(500);
    double mibPerSecond = moved / (elapsed / 1e9) / (1 << 20);
    return new JsonObject()
        .put("streams", streams)
        .put("MiBps", round(mibPerSecond))
        .put("proxyCpuCores", round(cpu / (double) elapsed))
        .put("proxyCpuSecondsPerGiB", round((cpu / 1e9) / (moved / (double) (1L << 30))))
        .put("vmSideCpuCores", round(vmCpu / (double) elapsed))
        .put("clientCpuCores", round(clientCpu / (double) elapsed));
  }

  /** Memory and CPU of a proxy holding {@link #sessions} idle sessions. */
  JsonObject idleSessions(TargetSource targets, Process server) throws Exception {
    long before = pssKib(server.toHandle());
    List<Target> prepared = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<java.util.concurrent.Future<Target>> futures = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      futures.add(pool.submit(targets::next));
    }
    for (var future : futures) {
      prepared.add(future.get());
    }
    pool.shutdown();
    ConcurrentLinkedQueue<WebSocket> open = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    for (int i = 0; i < prepared.size(); i += 50) {
      List<Future<WebSocket>> batch = new ArrayList<>();
      for (Target target : prepared.subList(i, Math.min(prepared.size(), i + 50))) {
        batch.add(connect(target).onSuccess(open::add));
      }
      Future.all(batch).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    }
    double openSeconds = (System.nanoTime() - start) / 1e9;
    Thread.sleep(5000);
    long cpuBefore = cpuNanos(server.toHandle());
    long idleStart = System.nanoTime();
    Thread.sleep(15_000);
    double idleCpu =
        (cpuNanos(server.toHandle()) - cpuBefore) / (double) (System.nanoTime() - idleStart);
    long after = pssKib(server.toHandle());
    int processesNow = 1 + (int) server.descendants().count();
    Promise<Void> closed = Promise.promise();
    List<Future<Void>> closing = new ArrayList<>();
    for (WebSocket socket : open) {
      closing.add(socket.close());
    }
    Future.all(closing).onComplete(r -> closed.complete());
    closed.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Thread.sleep(2000);
    return new JsonObject()
        .put("sessions", open.size())
        .put("secondsToOpen", round(openSeconds))
        .put("memoryBeforeMiB", round(before / 1024.0))
        .put("memoryWithSessionsMiB", round(after / 1024.0))
        .put("KiBPerSession", round((after - before) / (double) open.size()))
        .put("idleCpuCores", round(idleCpu))
        .put("processes", processesNow);
  }

  // ---- measuring ----

  static JsonObject percentiles(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new JsonObject()
        .put("messages", sorted.length)
        .put("p50us", round(sorted[sorted.length / 2] / 1000.0))
        .put("p99us", round(sorted[(int) (sorted.length * 0.99)] / 1000.0))
        .put("p999us", round(sorted[(int) (sorted.length * 0.999)] / 1000.0));
  }

  /** CPU time of a process and its live children. */
  static long cpuNanos(ProcessHandle process) {
    long total = process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    for (ProcessHandle child : process.descendants().toList()) {
      total += child.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
    return total;
  }

  /** Proportional set size (KiB) of a process and its children: shared pages counted once. */
  static long pssKib(ProcessHandle process) throws IOException {
    long total = pss(process.pid());
    for (ProcessHandle child : process.descendants().toList()) {
      total += pss(child.pid());
    }
    return total;
  }

  static long pss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
        if (line.startsWith("Pss:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return 0;
  }

  static JsonObject machine() throws IOException {
    String cpu =
        Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
            .filter(l -> l.startsWith("model name"))
            .findFirst()
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .orElse("?");
    String memory = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\s+", " ");
    return new JsonObject()
        .put("cpu", cpu)
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("memory", memory)
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"))
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
  }

  static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  static String classpath() {
    return System.getProperty("java.class.path");
  }

  /** A port nothing listens on now (for a program that must be told its port). */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Whether {@code process} listens on {@code port} (false: it ended first). */
  static boolean awaitPort(int port, Process process) throws Exception {
    for (int i = 0; i < 200; i++) {
      if (!process.isAlive()) {
        return false;
      }
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return process.isAlive();
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IOException("nothing listens on " + port);
  }

  void awaitHttp(String url) throws Exception {
    for (int i = 0; i < 400; i++) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // not yet
      }
      Thread.sleep(50);
    }
    throw new IOException(url + " did not answer; see " + dir.resolve("proxy.log"));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
