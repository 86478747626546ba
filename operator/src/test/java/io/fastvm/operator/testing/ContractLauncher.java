package io.fastvm.operator.testing;

import io.fastvm.api.validation.ManifestValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for the launcher that checks, from inside the process the pod would start, the
 * operator's side of the launcher contract (PodLayout, LauncherInvocation): every argument has the
 * documented form, the manifest file is there and passes the CRDs' validation, every Volume image
 * exists, the state and runtime dirs are writable, the cloud-init seed has its files. It then
 * creates the ready file, prints a serial-like line, and powers off (exit 0) on SIGTERM; on a
 * broken contract it writes the termination log and exits 2, like the launcher.
 */
public final class ContractLauncher {
  private ContractLauncher() {}

  public static final String READY_LINE = "CONTRACT-LAUNCHER ready";

  public static void main(String[] args) throws Exception {
    List<String> problems = new ArrayList<>();
    Path runtime = null;
    Path terminationLog = null;
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      if (kv.length != 2) {
        problems.add("not --key=value: " + arg);
        continue;
      }
      Path value = Path.of(kv[1]);
      switch (kv[0]) {
        case "--manifest" -> {
          if (!Files.isReadable(value)) {
            problems.add("no manifest at " + value);
          } else {
            String yaml = Files.readString(value);
            var reports = ManifestValidator.committed().validateYaml(yaml);
            if (reports.stream().noneMatch(r -> "VirtualMachine".equals(r.kind()))) {
              problems.add("no VirtualMachine in the manifest");
            }
            reports.stream()
                .filter(r -> !r.valid())
                .forEach(r -> problems.add(r.kind() + " " + r.name() + ": " + r.violations()));
          }
        }
        case "--volume" -> {
          String[] nameAndPath = kv[1].split("=", 2);
          if (nameAndPath.length != 2 || !Files.isRegularFile(Path.of(nameAndPath[1]))) {
            problems.add("volume image missing: " + kv[1]);
          }
        }
        case "--cloud-init-seed" -> {
          if (!Files.isRegularFile(value.resolve("user-data"))
              || !Files.isRegularFile(value.resolve("meta-data"))) {
            problems.add("cloud-init seed without user-data/meta-data: " + value);
          }
        }
        case "--state-dir", "--runtime-dir" -> {
          if (!Files.isDirectory(value) || !Files.isWritable(value)) {
            problems.add(kv[0] + " not a writable directory: " + value);
          }
          if (kv[0].equals("--runtime-dir")) {
            runtime = value;
          }
        }
        case "--nat-bind-address" -> {
          if (!kv[1].equals("0.0.0.0")) {
            problems.add("in a pod forwarded ports must listen on 0.0.0.0, not " + kv[1]);
          }
        }
        case "--console-tls" -> {
          for (String file : List.of("tls.crt", "tls.key", "ca.crt")) {
            if (!Files.isRegularFile(value.resolve(file))) {
              problems.add("console TLS without " + file + ": " + value);
            }
          }
        }
        case "--console-listen" -> {
          // added by PodExecution: the pod's port 5900 mapped to a free loopback port
        }
        case "--termination-log" -> terminationLog = value;
        default -> problems.add("unknown option " + kv[0]);
      }
    }
    if (runtime == null) {
      problems.add("no --runtime-dir");
    }
    if (!problems.isEmpty()) {
      if (terminationLog != null) {
        Files.writeString(terminationLog, String.join("; ", problems));
      }
      System.out.println("CONTRACT-LAUNCHER invalid: " + problems);
      System.exit(2);
    }
    // The readiness probe looks for the launcher's ready file.
    Path ready = runtime.resolve(io.fastvm.contract.RuntimeDir.READY_FILE);
    // SIGTERM is the pod's graceful stop: "power the guest off", then exit 0 like the launcher.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    Files.deleteIfExists(ready);
                  } catch (java.io.IOException e) {
                    // nothing to clean then
                  }
                  System.out.println("CONTRACT-LAUNCHER powered off");
                  System.out.flush();
                  Runtime.getRuntime().halt(0);
                }));
    Files.writeString(ready, "");
    System.out.println(READY_LINE);
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
