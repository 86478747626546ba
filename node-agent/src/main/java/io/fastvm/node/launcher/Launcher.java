package io.fastvm.node.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.fastvm.contract.HostPortMode;
import io.fastvm.contract.LauncherInvocation;
import io.fastvm.contract.PodTaps;
import io.fastvm.contract.console.ConsoleChannel;
import io.fastvm.contract.console.ConsoleIdentities;
import io.fastvm.node.cloudinit.SeedIso;
import io.fastvm.node.console.ConsoleEndpoint;
import io.fastvm.node.console.EndpointSettings;
import io.fastvm.node.console.SerialHub;
import io.fastvm.node.console.TlsReloader;
import io.fastvm.node.firmware.Ovmf;
import io.fastvm.node.manifest.ManifestException;
import io.fastvm.node.manifest.ManifestReader;
import io.fastvm.node.manifest.ManifestSet;
import io.fastvm.node.manifest.ManifestValidator;
import io.fastvm.node.network.NicAttachment;
import io.fastvm.node.network.NicBackend;
import io.fastvm.node.network.Passt;
import io.fastvm.node.network.TapWait;
import io.fastvm.node.process.GuardedProcesses;
import io.fastvm.node.qemu.AcceleratorChoice;
import io.fastvm.node.qemu.KvmProbe;
import io.fastvm.node.qemu.QmpClient;
import io.fastvm.node.qemu.QmpException;
import io.fastvm.node.tpm.Swtpm;
import io.fastvm.node.volume.ImageChange;
import io.fastvm.node.volume.QemuImg;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one VM from start to power-off: reads the manifests, plans (all checks before any change),
 * prepares UEFI variables, the TPM and the cloud-init ISO, starts QEMU under supervision, mirrors
 * the serial console, turns a stop request into an ACPI power-down with a grace period, and maps
 * the outcome to an exit code ({@link LauncherInvocation.ExitCode}).
 */
public final class Launcher {

  /**
   * Settings that differ between a VM pod and {@code fastvm run}.
   *
   * @param console where the serial console is mirrored (stdout)
   * @param consoleInput what is typed into the serial console (a terminal's stdin with {@code
   *     fastvm run}), or null
   */
  public record Settings(
      ManifestValidator validator,
      boolean printQemuCommand,
      Path cacheDir,
      OutputStream console,
      InputStream consoleInput,
      PrintStream log) {

    public static Settings pod() {
      return new Settings(
          ManifestValidator.NONE, false, defaultCacheDir(), System.out, null, System.err);
    }
  }

  /**
   * Where the KVM probe's answer is cached: $FASTVM_CACHE_DIR, $XDG_CACHE_HOME/fastvm,
   * ~/.cache/fastvm.
   */
  public static Path defaultCacheDir() {
    String explicit = System.getenv("FASTVM_CACHE_DIR");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "fastvm");
    }
    String home = System.getProperty("user.home");
    return home == null || home.isBlank() || home.equals("?")
        ? null
        : Path.of(home, ".cache", "fastvm");
  }

  private static final Duration QMP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration QUIT_WAIT = Duration.ofSeconds(3);
  private static final Duration QMP_END_WAIT = Duration.ofSeconds(10);
  private static final int STDERR_TAIL_LINES = 20;
  private static final Duration TLS_RELOAD_INTERVAL = Duration.ofSeconds(30);

  private final LauncherInvocation invocation;
  private final Settings settings;
  private final HostTools tools;
  private final Instant started;

  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final AtomicInteger stopRequests = new AtomicInteger();
  private volatile Process qemu;
  private volatile Thread stderrPump;

  public Launcher(LauncherInvocation invocation, Settings settings, HostTools tools) {
    this.invocation = invocation;
    this.settings = settings;
    this.tools = tools;
    this.started = ProcessHandle.current().info().startInstant().orElse(Instant.now());
  }

  /**
   * Asks the VM to stop (SIGTERM, Ctrl-C): the first request powers the guest down through ACPI
   * within the grace period, a second one stops QEMU at once.
   */
  public void requestStop() {
    int n = stopRequests.incrementAndGet();
    if (n == 1) {
      stopRequested.countDown();
    } else if (n == 2) {
      log("second stop request: stopping QEMU now");
      Process p = qemu;
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }

  /** Runs the VM; returns the exit code. */
  public int run() {
    try {
      return runOrThrow();
    } catch (LaunchException e) {
      fail(e.exitCode(), e.getMessage());
      return e.exitCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(LauncherInvocation.ExitCode.CRASHED, "interrupted");
      return LauncherInvocation.ExitCode.CRASHED;
    }
  }

  private int runOrThrow() throws LaunchException, InterruptedException {
    ManifestSet manifests;
    try {
      manifests = new ManifestReader(settings.validator()).read(invocation.manifests());
    } catch (ManifestException e) {
      throw LaunchException.invalid(e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    var spec = manifests.spec();
    AcceleratorChoice accelerator =
        AcceleratorChoice.decide(
            spec.effectiveAccelerator(), spec.effectiveCpu().model(), () -> probeKvm(), problems);
    if (!problems.isEmpty()) {
      throw LaunchException.invalid(problems);
    }
    LaunchPlan plan =
        new LaunchPlanner(tools, Ovmf.fromEnvironment()).plan(manifests, invocation, accelerator);
    if (settings.printQemuCommand()) {
      PrintStream out = new PrintStream(settings.console(), true, StandardCharsets.UTF_8);
      plan.argv().forEach(out::println);
      out.flush();
      return LauncherInvocation.ExitCode.POWERED_OFF;
    }
    log(
        "VM "
            + plan.qemu().name()
            + ": accelerator "
            + accelerator.kind().qemuName()
            + ", cpu "
            + accelerator.cpuModel()
            + " ("
            + accelerator.reason()
            + ")");
    try (ConsoleEndpoint endpoint = startConsoleEndpoint(plan)) {
      return start(plan);
    }
  }

  /**
   * The console endpoint (mutual TLS) for the console-proxy, when {@code --console-tls} is given.
   * Started before anything else: unusable TLS material or a taken port is invalid input (exit 2),
   * never a VM without its console.
   */
  private ConsoleEndpoint startConsoleEndpoint(LaunchPlan plan) throws LaunchException {
    Path dir = invocation.consoleTlsDir();
    if (dir == null) {
      return null;
    }
    TlsReloader tls;
    try {
      tls = TlsReloader.fromDirectory(dir, TLS_RELOAD_INTERVAL);
    } catch (IOException | GeneralSecurityException e) {
      throw LaunchException.invalid(
          "--console-tls: no usable TLS material (tls.crt, tls.key, ca.crt) in " + dir + ": " + e);
    }
    Set<ConsoleChannel> channels = EnumSet.of(ConsoleChannel.SERIAL);
    if (plan.qemu().display().vnc()) {
      channels.add(ConsoleChannel.VNC);
    }
    if (plan.qemu().display().spice()) {
      channels.add(ConsoleChannel.SPICE);
    }
    try {
      ConsoleEndpoint endpoint =
          ConsoleEndpoint.start(
              EndpointSettings.defaults(
                  invocation.consoleAddress(), tls, invocation.runtimeDir(), channels));
      log(
          "console endpoint (mutual TLS, "
              + String.join(" ", ConsoleIdentities.uris(tls.firstCertificate()))
              + ") on "
              + endpoint.address()
              + ": "
              + channels);
      return endpoint;
    } catch (IOException e) {
      throw LaunchException.invalid("--console-tls: " + e.getMessage());
    }
  }

  private KvmProbe.Result probeKvm() {
    try {
      return new KvmProbe(
              tools.qemu().orElse(Path.of("qemu-system-x86_64")),
              settings.cacheDir(),
              Duration.ofSeconds(3))
          .run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new KvmProbe.Result(false, "interrupted", false);
    }
  }

  private int start(LaunchPlan plan) throws LaunchException, InterruptedException {
    RuntimeFiles runtime = new RuntimeFiles(invocation.runtimeDir());
    GuardedProcesses processes = new GuardedProcesses();
    try (FileLockHolder lock = lockRuntimeDir(runtime)) {
      prepare(plan, runtime);
      try (SerialHub hub = listenSerial(runtime);
          Swtpm tpm = startTpm(plan, runtime, processes)) {
        forwardInput(hub);
        awaitTaps(plan);
        if (stopRequests.get() > 0) {
          // Stopped while preparing: there is no guest to power down, so nothing to wait for.
          log("stop requested before QEMU started; not starting it");
          return LauncherInvocation.ExitCode.POWERED_OFF;
        }
        startPasst(plan, runtime, processes);
        Deque<String> stderrTail = new ArrayDeque<>();
        Process process = startQemu(plan, processes, stderrTail);
        qemu = process;
        log(
            "QEMU started (pid "
                + process.pid()
                + ") "
                + sinceStart()
                + " ms after launcher start");
        return supervise(plan, runtime, process, stderrTail);
      } catch (IOException e) {
        throw new LaunchException(
            LauncherInvocation.ExitCode.START_FAILED, "cannot start the VM: " + e.getMessage(), e);
      } finally {
        notReady(runtime);
        processes.killAll();
        removePasstSockets(plan);
      }
    }
  }

  private record FileLockHolder(FileChannel channel, FileLock lock) implements AutoCloseable {
    @Override
    public void close() {
      try {
        lock.release();
        channel.close();
      } catch (IOException ignored) {
        // released with the process anyway
      }
    }
  }

  private FileLockHolder lockRuntimeDir(RuntimeFiles runtime) throws LaunchException {
    try {
      Files.createDirectories(runtime.dir());
      FileChannel channel =
          FileChannel.open(runtime.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw LaunchException.invalid(
            "another launcher is running this VM (runtime dir " + runtime.dir() + ")");
      }
      return new FileLockHolder(channel, lock);
    } catch (IOException e) {
      throw new LaunchException(
          LauncherInvocation.ExitCode.START_FAILED,
          "cannot use runtime dir " + runtime.dir() + ": " + e.getMessage(),
          e);
    }
  }

  private void prepare(LaunchPlan plan, RuntimeFiles runtime)
      throws LaunchException, InterruptedException {
    try {
      for (String leftover : runtime.leftovers()) {
        Files.deleteIfExists(runtime.dir().resolve(leftover));
      }
      Files.createDirectories(invocation.stateDir());
      changeImages(plan);
      if (plan.qemu().uefi() != null) {
        Ovmf.prepareVars(plan.qemu().uefi()).ifPresent(this::log);
      }
      if (plan.hasCloudInit()) {
        Path seedDir = plan.seedDir();
        if (seedDir == null) {
          seedDir = runtime.cloudInitSeedDir();
          plan.renderedSeed().writeTo(seedDir);
        }
        SeedIso.build(tools.xorriso().orElseThrow(), seedDir, runtime.cloudInitIso());
      }
    } catch (IOException e) {
      throw new LaunchException(
          LauncherInvocation.ExitCode.START_FAILED, "cannot prepare the VM: " + e.getMessage(), e);
    }
  }

  /**
   * Makes the overlays of overlay clones on their first start and grows images whose Volume grew:
   * planned with every check, done here, before QEMU opens them.
   */
  private void changeImages(LaunchPlan plan) throws IOException, InterruptedException {
    if (plan.imageChanges().isEmpty()) {
      return;
    }
    QemuImg qemuImg = new QemuImg(tools.qemuImg().orElseThrow());
    for (ImageChange change : plan.imageChanges()) {
      switch (change) {
        case ImageChange.CreateOverlay overlay -> {
          qemuImg.createOverlay(
              overlay.file(),
              overlay.backing().toAbsolutePath().normalize(),
              formatName(overlay.backingFormat()),
              overlay.sizeBytes());
          log("overlay " + overlay.file() + " made on " + overlay.backing());
        }
        case ImageChange.Grow grow -> {
          qemuImg.resize(grow.file(), formatName(grow.format()), grow.sizeBytes());
          log("image " + grow.file() + " grown to " + grow.sizeBytes() + " bytes");
        }
      }
    }
  }

  private static String formatName(io.fastvm.api.v1alpha1.VolumeFormat format) {
    return format.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Forwards typed input (fastvm run's terminal) to the guest's serial line. */
  private void forwardInput(SerialHub hub) {
    InputStream in = settings.consoleInput();
    if (in == null) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[1024];
              try {
                int n;
                while ((n = in.read(buffer)) > 0) {
                  hub.type(java.util.Arrays.copyOf(buffer, n));
                }
              } catch (IOException e) {
                // input closed
              }
            },
            "console-input");
    t.setDaemon(true);
    t.start();
  }

  private SerialHub listenSerial(RuntimeFiles runtime) throws IOException {
    return SerialHub.listen(runtime.serialBackend(), runtime.serial(), settings.console());
  }

  private Swtpm startTpm(LaunchPlan plan, RuntimeFiles runtime, GuardedProcesses processes)
      throws IOException, InterruptedException {
    if (plan.tpmStateDir() == null) {
      return null;
    }
    boolean fresh = !Files.isDirectory(plan.tpmStateDir());
    Swtpm tpm =
        Swtpm.start(
            processes,
            tools.swtpm().orElseThrow(),
            plan.tpmStateDir(),
            runtime.tpmSocket(),
            runtime.tpmLog(),
            Duration.ofSeconds(10));
    log("TPM 2.0: swtpm with " + (fresh ? "new" : "existing") + " state in " + plan.tpmStateDir());
    return tpm;
  }

  /**
   * The taps of bridge NICs, made by the node agent in a pod (which may take until Multus has added
   * the pod's interfaces) and by no one under {@code fastvm run}, where nothing is awaited.
   */
  private void awaitTaps(LaunchPlan plan) throws IOException, InterruptedException {
    boolean inPod = invocation.natHostPorts() == HostPortMode.GUEST;
    Path sysClassNet = Path.of("/sys/class/net");
    for (NicAttachment nic : plan.qemu().nics()) {
      if (nic.backend() instanceof NicBackend.Tap tap
          && inPod
          && !Files.exists(sysClassNet.resolve(tap.device()))) {
        log("network " + nic.name() + ": waiting for the node agent to make tap " + tap.device());
      }
    }
    new TapWait(sysClassNet, inPod ? PodTaps.WAIT : Duration.ZERO)
        .await(plan.qemu().nics(), () -> stopRequests.get() > 0);
    for (NicAttachment nic : plan.qemu().nics()) {
      if (nic.backend() instanceof NicBackend.Tap tap) {
        log("network " + nic.name() + ": bridged through tap " + tap.device());
      }
    }
  }

  /** The passt of each nat NIC on passt; stopped with the other processes when QEMU ends. */
  private void startPasst(LaunchPlan plan, RuntimeFiles runtime, GuardedProcesses processes)
      throws IOException, InterruptedException {
    for (NicAttachment nic : plan.qemu().nics()) {
      if (nic.backend() instanceof NicBackend.Passt passt) {
        Passt.start(
            processes,
            tools.passt().orElseThrow(),
            nic,
            runtime.dir().resolve(passt.socket().getFileName() + ".log"),
            Duration.ofSeconds(10));
        log("network " + nic.name() + ": nat through passt");
      }
    }
  }

  /** passt leaves its socket behind when it ends. */
  private static void removePasstSockets(LaunchPlan plan) {
    for (NicAttachment nic : plan.qemu().nics()) {
      if (nic.backend() instanceof NicBackend.Passt passt) {
        try {
          Files.deleteIfExists(passt.socket());
        } catch (IOException e) {
          // A stale socket is replaced on the next start.
        }
      }
    }
  }

  private Process startQemu(LaunchPlan plan, GuardedProcesses processes, Deque<String> stderrTail)
      throws IOException, InterruptedException {
    Process process =
        processes.start(
            plan.argv(),
            pb ->
                pb.redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.PIPE));
    process.getOutputStream().close();
    Thread pump =
        new Thread(
            () -> {
              try (var reader = process.errorReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                  settings.log().println("qemu: " + line);
                  synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    while (stderrTail.size() > STDERR_TAIL_LINES) {
                      stderrTail.removeFirst();
                    }
                  }
                }
              } catch (IOException e) {
                // QEMU gone
              }
            },
            "qemu-stderr");
    pump.setDaemon(true);
    pump.start();
    stderrPump = pump;
    return process;
  }

  private int supervise(
      LaunchPlan plan, RuntimeFiles runtime, Process process, Deque<String> stderrTail)
      throws InterruptedException, LaunchException {
    AtomicReference<String> shutdownReason = new AtomicReference<>();
    QmpClient qmp;
    try {
      qmp =
          QmpClient.connect(
              runtime.launcherQmp(),
              QMP_TIMEOUT,
              process::isAlive,
              event -> {
                if ("SHUTDOWN".equals(event.path("event").asText())) {
                  JsonNode data = event.path("data");
                  shutdownReason.compareAndSet(null, data.path("reason").asText("unknown"));
                }
              });
    } catch (QmpException e) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      drainStderr();
      throw new LaunchException(
          LauncherInvocation.ExitCode.START_FAILED,
          "QEMU failed to start"
              + (process.isAlive() ? "" : " (exit status " + process.exitValue() + ")")
              + ": "
              + tail(stderrTail, e.getMessage()));
    }
    try {
      String status = qmp.queryStatus(COMMAND_TIMEOUT);
      long cpuMillis =
          ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
      log(
          "QMP ready "
              + sinceStart()
              + " ms after launcher start, launcher CPU time "
              + cpuMillis
              + " ms (guest "
              + status
              + "). Serial console on stdout and at "
              + runtime.serial()
              + (plan.qemu().display().vnc() ? "; VNC at " + runtime.vnc() : "")
              + (plan.qemu().display().spice() ? "; SPICE at " + runtime.spice() : "")
              + "; QMP at "
              + runtime.qmp()
              + "; guest agent at "
              + runtime.guestAgent());
      for (var nic : plan.qemu().nics()) {
        for (var forward : nic.forwards()) {
          log(
              "network "
                  + nic.name()
                  + ": "
                  + forward.protocol()
                  + " "
                  + forward.bindAddress()
                  + ":"
                  + forward.hostPort()
                  + " -> guest port "
                  + forward.guestPort());
        }
      }
    } catch (QmpException e) {
      log("QMP query-status failed: " + e.getMessage());
    }
    ready(runtime);

    // Start-up garbage (YAML, the plan) is dead now; the launcher mostly waits from here on, so
    // one collection lets the heap shrink to what supervision needs.
    System.gc();

    // Wait for QEMU to exit or for a stop request, whichever comes first.
    Thread waiter =
        new Thread(
            () -> {
              try {
                process.waitFor();
              } catch (InterruptedException ignored) {
                // launcher ending
              }
              stopRequested.countDown();
            },
            "qemu-exit");
    waiter.setDaemon(true);
    waiter.start();
    stopRequested.await();
    notReady(runtime);

    boolean hardStop = false;
    if (process.isAlive()) {
      hardStop = !powerDown(plan, qmp, process);
    }
    process.waitFor();
    drainStderr();
    // QEMU sends SHUTDOWN before it exits, but the event is read on QMP's own thread: wait until
    // the connection ended so the reason is the one QEMU gave, not whether that thread was quick.
    if (!qmp.awaitEnd(QMP_END_WAIT)) {
      log("QMP connection still open " + QMP_END_WAIT.toSeconds() + " s after QEMU exited");
    }
    qmp.close();
    QemuEnding.Verdict verdict =
        new QemuEnding(
                process.exitValue(),
                shutdownReason.get(),
                stopRequests.get(),
                hardStop,
                plan.gracePeriodSeconds(),
                tail(stderrTail, null))
            .verdict();
    if (verdict.failure()) {
      fail(verdict.exitCode(), verdict.message());
    } else {
      log(verdict.message());
    }
    return verdict.exitCode();
  }

  /**
   * Presses the power button, waits up to the VM's grace period, then quits QEMU and finally kills
   * it. The pod's own grace period is longer by the operator's margin, which covers the quit.
   *
   * @return true if the guest powered off by itself within the wait
   */
  private boolean powerDown(LaunchPlan plan, QmpClient qmp, Process process)
      throws InterruptedException {
    long waitMillis = plan.gracePeriodSeconds() * 1000;
    if (stopRequests.get() >= 2) {
      waitMillis = 0;
    }
    if (waitMillis > 0) {
      log(
          "powering the guest down (ACPI power button); waiting up to "
              + waitMillis / 1000.0
              + " s");
      try {
        qmp.systemPowerdown(COMMAND_TIMEOUT);
      } catch (QmpException e) {
        // Nobody pressed the button, so waiting for the guest would only delay the stop.
        log("system_powerdown failed: " + e.getMessage() + "; stopping QEMU at once");
        waitMillis = 0;
      }
    }
    if (waitMillis > 0) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      while (process.isAlive() && stopRequests.get() < 2) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        process.waitFor(
            Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 200), TimeUnit.MILLISECONDS);
      }
      if (!process.isAlive()) {
        return stopRequests.get() < 2 || process.exitValue() == 0;
      }
    }
    log("stopping QEMU");
    try {
      qmp.quit(QUIT_WAIT);
    } catch (QmpException e) {
      // it may already be gone
    }
    if (!process.waitFor(QUIT_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
    }
    return false;
  }

  /** Lets the last lines QEMU wrote reach the tail before a reason is built from it. */
  private void drainStderr() throws InterruptedException {
    Thread pump = stderrPump;
    if (pump != null) {
      pump.join(2000);
    }
  }

  /** The readiness file: QEMU runs and answers QMP. */
  private void ready(RuntimeFiles runtime) {
    try {
      Files.writeString(runtime.ready(), "");
    } catch (IOException e) {
      log("cannot write " + runtime.ready() + ": " + e.getMessage());
    }
  }

  private void notReady(RuntimeFiles runtime) {
    try {
      Files.deleteIfExists(runtime.ready());
    } catch (IOException e) {
      log("cannot remove " + runtime.ready() + ": " + e.getMessage());
    }
  }

  private void fail(int code, String message) {
    settings.log().println("fastvm: " + message);
    settings.log().flush();
    if (invocation.terminationLog() != null) {
      try {
        String text = message.length() > 4000 ? message.substring(0, 4000) : message;
        Files.writeString(invocation.terminationLog(), text + "\n");
      } catch (IOException e) {
        settings.log().println("fastvm: cannot write the termination log: " + e.getMessage());
      }
    }
  }

  private void log(String message) {
    settings.log().println("fastvm: " + message);
    settings.log().flush();
  }

  private long sinceStart() {
    return Duration.between(started, Instant.now()).toMillis();
  }

  private static String tail(Deque<String> lines, String fallback) {
    synchronized (lines) {
      return lines.isEmpty() ? fallback : String.join("\n", lines);
    }
  }
}
