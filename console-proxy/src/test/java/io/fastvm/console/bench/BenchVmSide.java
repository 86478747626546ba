package io.fastvm.console.bench;

import io.fastvm.console.testing.MockCluster;
import io.fastvm.console.testing.TestPki;
import io.fastvm.node.console.ConsoleEndpoint;
import io.fastvm.node.console.EndpointSettings;
import io.fastvm.node.testing.FakeConsoleSocket;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The VM side of the benchmark, in its own JVM: the fabric8 mock API server (users, RBAC, two
 * running VMs), and each VM's mutual-TLS console endpoint in front of a synthetic VNC socket, a
 * streaming one ("stream") and an echoing one ("echo"). Prints one JSON line with what the proxy
 * and websockify need, then runs until its stdin closes.
 */
public final class BenchVmSide {
  public static void main(String[] args) throws Exception {
    Path dir = Files.createDirectories(Path.of(args[0]));
    MockCluster cluster = new MockCluster();
    cluster.user("bench-token", "bench");
    cluster.grant("bench", "bench", "stream");
    cluster.grant("bench", "bench", "echo");
    cluster.runningVm("bench", "stream", "127.0.0.1", false);
    cluster.runningVm("bench", "echo", "127.0.0.2", false);
    TestPki pki = new TestPki(dir.resolve("pki"));
    Path streamDir = Files.createDirectories(dir.resolve("run-stream"));
    Path echoDir = Files.createDirectories(dir.resolve("run-echo"));
    StreamingSource stream = new StreamingSource(streamDir.resolve("vnc.sock"));
    FakeConsoleSocket echo = new FakeConsoleSocket(echoDir.resolve("vnc.sock"), new byte[0], true);
    // Both endpoints share one port (the proxy has one backend port): the first takes whatever
    // port the kernel gives it, the second binds that port on its own address, and should that
    // be taken already, both start over on a new one.
    ConsoleEndpoint streamEndpoint = null;
    ConsoleEndpoint echoEndpoint = null;
    for (int attempt = 1; echoEndpoint == null; attempt++) {
      streamEndpoint =
          ConsoleEndpoint.start(
              EndpointSettings.defaults(
                  new InetSocketAddress("127.0.0.1", 0),
                  pki.endpoint("bench", "stream"),
                  streamDir));
      try {
        echoEndpoint =
            ConsoleEndpoint.start(
                EndpointSettings.defaults(
                    new InetSocketAddress("127.0.0.2", streamEndpoint.address().getPort()),
                    pki.endpoint("bench", "echo"),
                    echoDir));
      } catch (IOException e) {
        streamEndpoint.close();
        if (attempt == 10 || !(e.getCause() instanceof BindException)) {
          throw e;
        }
      }
    }
    int port = streamEndpoint.address().getPort();
    System.out.println(
        new JsonObject()
            .put("api", "http://" + cluster.server.getHostName() + ":" + cluster.server.getPort())
            .put("endpointPort", port)
            .put("backendTlsDir", pki.backendTlsDir.toString())
            .put("streamSocket", streamDir.resolve("vnc.sock").toString())
            .put("echoSocket", echoDir.resolve("vnc.sock").toString())
            .encode());
    System.out.flush();
    while (System.in.read() >= 0) {
      // run until the benchmark closes our stdin
    }
    streamEndpoint.close();
    echoEndpoint.close();
    stream.close();
    echo.close();
    cluster.close();
  }
}
