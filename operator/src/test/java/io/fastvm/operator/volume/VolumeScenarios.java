package io.fastvm.operator.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.api.v1alpha1.BlankSource;
import io.fastvm.api.v1alpha1.CloneMode;
import io.fastvm.api.v1alpha1.HttpSource;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumeCloneSource;
import io.fastvm.api.v1alpha1.VolumeFormat;
import io.fastvm.api.v1alpha1.VolumePhase;
import io.fastvm.api.v1alpha1.VolumeSource;
import io.fastvm.api.v1alpha1.VolumeSpec;
import io.fastvm.api.v1alpha1.VolumeStatus;
import io.fastvm.node.volume.QemuImg;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.testing.FakeJobRunner;
import io.fastvm.operator.testing.OperatorScenario;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The Volume reconciler with the VM reconciler, against an API server (the mock and a real one, see
 * the subclasses). Populate Jobs run the real populator on this machine (FakeJobRunner: every PVC
 * is a folder that outlives the pod), with real qemu-img; a local HTTP server serves imports.
 */
abstract class VolumeScenarios extends OperatorScenario {
  static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * The controller-manager's garbage collector and PVC protection run on their own informers and
   * work queues; on a loaded 2-core machine they lag well behind the operator.
   */
  static final Duration GC_WAIT = Duration.ofMinutes(3);

  Path tmp;
  FakeJobRunner jobs;
  HttpServer http;
  byte[] image;

  void begin(TestCluster testCluster) throws Exception {
    tmp = Files.createTempDirectory("fastvm-volumes");
    closeLater(() -> io.fastvm.node.testing.TestGuests.deleteTree(tmp));
    begin(testCluster, c -> RunningOperator.withVolumes(c, OperatorSettings.defaults()));
    jobs =
        closeLater(
            FakeJobRunner.start(
                cluster, Files.createDirectories(tmp.resolve("storage")), tmp.resolve("pods")));
    image = new byte[1 << 20];
    for (int i = 0; i < image.length; i += 4096) {
      image[i] = (byte) (i >> 12);
    }
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext(
        "/disk.raw",
        exchange -> {
          exchange.sendResponseHeaders(200, image.length);
          exchange.getResponseBody().write(image);
          exchange.close();
        });
    http.start();
    closeLater(() -> http.stop(0));
  }

  // --- helpers -------------------------------------------------------------------------------

  static Volume volume(String name, String size, VolumeFormat format, VolumeSource source) {
    return new Volume(NS, name, new VolumeSpec(size, format, null, null, source));
  }

  static VolumeSource blank() {
    return new VolumeSource(new BlankSource(), null, null, null);
  }

  static VolumeSource clone(String from, CloneMode mode) {
    return new VolumeSource(null, null, new VolumeCloneSource(from, mode), null);
  }

  Volume create(Volume volume) {
    return client.resource(volume).create();
  }

  Volume get(String name) {
    return client.resources(Volume.class).inNamespace(NS).withName(name).get();
  }

  VolumeStatus awaitStatus(String name, Predicate<VolumeStatus> test) {
    return awaitStatus(
        "Volume " + name,
        WAIT,
        () -> java.util.Optional.ofNullable(get(name)).map(Volume::getStatus).orElse(null),
        test);
  }

  VolumeStatus awaitPhase(String name, VolumePhase phase) {
    return awaitStatus(name, s -> s.phase() == phase);
  }

  Volume blankReady(String name) {
    create(volume(name, "1Gi", VolumeFormat.QCOW2, blank()));
    awaitPhase(name, VolumePhase.READY);
    return get(name);
  }

  PersistentVolumeClaim claim(String name) {
    return client.persistentVolumeClaims().inNamespace(NS).withName(name + "-disk").get();
  }

  List<String> eventReasons(String object) {
    return events(object).stream().map(Event::getReason).toList();
  }

  boolean jobExists(Volume volume) {
    return client
            .batch()
            .v1()
            .jobs()
            .inNamespace(NS)
            .withName(VolumeNames.populateJob(volume))
            .get()
        != null;
  }

  static String condition(VolumeStatus status, String type) {
    return Conditions.find(status.conditions(), type)
        .map(c -> c.getStatus() + " " + c.getReason() + ": " + c.getMessage())
        .orElse("absent");
  }

  // --- tests -----------------------------------------------------------------------------------

  @Test
  void aBlankVolumeGetsItsClaimAndImageFromAJobThenIsReady() throws Exception {
    Volume created = create(volume("blank", "2Gi", VolumeFormat.QCOW2, blank()));
    VolumeStatus ready = awaitPhase("blank", VolumePhase.READY);
    assertThat(ready.claimName()).isEqualTo("blank-disk");
    assertThat(ready.virtualSize()).isEqualTo("2Gi");
    assertThat(ready.format()).isEqualTo(VolumeFormat.QCOW2);
    assertThat(condition(ready, VolumeConditions.READY)).startsWith("True Ready");
    PersistentVolumeClaim claim = claim("blank");
    assertThat(claim.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(created.getMetadata().getUid()));
    assertThat(claim.getSpec().getResources().getRequests().get("storage").toString())
        .isEqualTo(VolumeSizes.claimSize(2L << 30).toString());
    // The real image, written by the real populator into the claim's folder.
    var info =
        QemuImg.find().orElseThrow().info(jobs.claimDir("blank-disk").resolve("disk.img"), "qcow2");
    assertThat(info.virtualSize()).isEqualTo(2L << 30);
    await().atMost(WAIT).until(() -> !jobExists(created));
    assertThat(eventReasons("blank")).contains("Populating", "Ready");
  }

  @Test
  void anHttpImportIsCheckedAgainstItsDigestAndAMismatchFailsWithTheReason() throws Exception {
    String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/disk.raw";
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
    create(
        volume(
            "good",
            "1Gi",
            VolumeFormat.RAW,
            new VolumeSource(null, new HttpSource(url, digest), null, null)));
    VolumeStatus good = awaitPhase("good", VolumePhase.READY);
    assertThat(good.virtualSize()).isEqualTo("1Gi");
    byte[] written = Files.readAllBytes(jobs.claimDir("good-disk").resolve("disk.img"));
    assertThat(java.util.Arrays.copyOf(written, image.length)).isEqualTo(image);

    Volume bad =
        create(
            volume(
                "bad",
                "1Gi",
                VolumeFormat.RAW,
                new VolumeSource(null, new HttpSource(url, "0".repeat(64)), null, null)));
    VolumeStatus failed = awaitPhase("bad", VolumePhase.FAILED);
    assertThat(condition(failed, VolumeConditions.READY))
        .startsWith("False PopulateRefused")
        .contains(digest);
    assertThat(jobs.claimDir("bad-disk").resolve("disk.img")).doesNotExist();
    assertThat(jobExists(bad)).as("the failed Job stays for its log").isTrue();
    assertThat(eventReasons("bad")).contains("PopulateRefused");
  }

  @Test
  void overlayClonesAreReadyWithoutAJobAndTheirBaseIsKeptWhileTheyExist() {
    Volume base = blankReady("base");
    for (String name : List.of("c1", "c2", "c3")) {
      create(volume(name, "1Gi", VolumeFormat.QCOW2, clone("base", CloneMode.OVERLAY)));
    }
    for (String name : List.of("c1", "c2", "c3")) {
      VolumeStatus status = awaitPhase(name, VolumePhase.READY);
      assertThat(status.backingVolume()).isEqualTo("base");
      assertThat(jobExists(get(name))).isFalse();
      assertThat(claim(name)).isNotNull();
    }
    VolumeStatus baseStatus =
        awaitStatus("base", s -> condition(s, VolumeConditions.CLONE_BASE).contains("c1, c2, c3"));
    assertThat(baseStatus.phase()).isEqualTo(VolumePhase.READY);

    client.resource(base).delete();
    VolumeStatus blocked =
        awaitStatus(
            "base", s -> condition(s, VolumeConditions.DELETION_BLOCKED).startsWith("True"));
    assertThat(condition(blocked, VolumeConditions.DELETION_BLOCKED)).contains("c1, c2, c3");
    assertThat(get("base").getMetadata().getDeletionTimestamp()).isNotNull();

    for (String name : List.of("c1", "c2", "c3")) {
      client.resources(Volume.class).inNamespace(NS).withName(name).delete();
    }
    await().atMost(WAIT).until(() -> get("base") == null);
    if (cluster.real()) {
      // The garbage collector takes the PVC with its Volume.
      PersistentVolumeClaim[] last = new PersistentVolumeClaim[1];
      try {
        await().atMost(GC_WAIT).until(() -> (last[0] = claim("base")) == null);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("the PVC outlived its Volume: " + last[0].getMetadata(), e);
      }
    }
  }

  @Test
  void aCloneWaitsForItsSourceAndAnOverlayOfAnOverlayIsRefused() {
    create(volume("early", "1Gi", VolumeFormat.QCOW2, clone("late", CloneMode.OVERLAY)));
    VolumeStatus waiting = awaitPhase("early", VolumePhase.PENDING);
    assertThat(condition(waiting, VolumeConditions.SOURCE_READY))
        .startsWith("False SourceNotFound")
        .contains("late");
    blankReady("late");
    awaitPhase("early", VolumePhase.READY);

    create(volume("deeper", "1Gi", VolumeFormat.QCOW2, clone("early", CloneMode.OVERLAY)));
    assertThat(condition(awaitPhase("deeper", VolumePhase.FAILED), VolumeConditions.READY))
        .startsWith("False SourceIsAnOverlay");
  }

  @Test
  void aFullCopyIsWrittenByAJobFromItsSourceMountedReadOnly() throws Exception {
    blankReady("original");
    Volume copy =
        create(volume("copy", "2Gi", VolumeFormat.RAW, clone("original", CloneMode.COPY)));
    await()
        .atMost(WAIT)
        .until(
            () ->
                jobExists(copy)
                    || get("copy").getStatus() != null
                        && get("copy").getStatus().phase() == VolumePhase.READY);
    VolumeStatus ready = awaitPhase("copy", VolumePhase.READY);
    assertThat(ready.format()).isEqualTo(VolumeFormat.RAW);
    assertThat(ready.virtualSize()).isEqualTo("2Gi");
    Path image = jobs.claimDir("copy-disk").resolve("disk.img");
    assertThat(QemuImg.find().orElseThrow().info(image, "raw").virtualSize()).isEqualTo(2L << 30);
    assertThat(image).isNotEqualTo(jobs.claimDir("original-disk").resolve("disk.img"));
  }

  @Test
  void aVolumeInUseIsNotDeletedFromUnderItsVm() {
    Volume used = blankReady("used");
    client.resource(TestVms.newVm("user", TestVms.spec().disk("root", "used").build())).create();
    VolumeStatus inUse =
        awaitStatus("used", s -> condition(s, VolumeConditions.IN_USE).startsWith("True"));
    assertThat(condition(inUse, VolumeConditions.IN_USE)).contains("VirtualMachine user");
    client.resource(used).delete();
    awaitStatus("used", s -> condition(s, VolumeConditions.DELETION_BLOCKED).contains("user"));
    await().atMost(WAIT).until(() -> eventReasons("used").contains("DeletionBlocked"));
    client.resources(VirtualMachine.class).inNamespace(NS).withName("user").delete();
    await().atMost(WAIT).until(() -> get("used") == null);
  }

  @Test
  void growingAVolumeAsksForAClaimThatFitsAndSaysWhenTheImageGrows() {
    blankReady("growing");
    client
        .resources(Volume.class)
        .inNamespace(NS)
        .withName("growing")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"size\":\"3Gi\"}}");
    VolumeStatus pending =
        awaitStatus("growing", s -> condition(s, VolumeConditions.SIZE_PENDING).startsWith("True"));
    assertThat(condition(pending, VolumeConditions.SIZE_PENDING))
        .contains("from 1Gi to 3Gi when a VM next starts");
    if (cluster.real()) {
      // An unbound PVC without an expandable storage class cannot grow: said, not retried.
      await().atMost(WAIT).until(() -> eventReasons("growing").contains("ClaimNotResized"));
    } else {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  claim("growing")
                      .getSpec()
                      .getResources()
                      .getRequests()
                      .get("storage")
                      .toString()
                      .equals(VolumeSizes.claimSize(3L << 30).toString()));
    }
  }

  @Test
  void theVmOfAnOverlayCloneMountsItsBaseReadOnlyAndRunsBesideItsOtherClones() {
    blankReady("tmpl");
    create(volume("student", "1Gi", VolumeFormat.QCOW2, clone("tmpl", CloneMode.OVERLAY)));
    awaitPhase("student", VolumePhase.READY);
    client
        .resource(TestVms.newVm("student-vm", TestVms.spec().disk("root", "student").build()))
        .create();
    Pod pod =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    client
                        .pods()
                        .inNamespace(NS)
                        .withLabel("fastvm.io/vm", "student-vm")
                        .list()
                        .getItems()
                        .stream()
                        .findFirst()
                        .orElse(null),
                p -> p != null);
    var claims =
        pod.getSpec().getVolumes().stream()
            .filter(v -> v.getPersistentVolumeClaim() != null)
            .map(v -> v.getPersistentVolumeClaim())
            .toList();
    assertThat(claims)
        .anySatisfy(
            c -> {
              assertThat(c.getClaimName()).isEqualTo("student-disk");
              // false, or left out (a real API server drops the default)
              assertThat(c.getReadOnly()).isNotEqualTo(Boolean.TRUE);
            })
        .anySatisfy(
            c -> {
              assertThat(c.getClaimName()).isEqualTo("tmpl-disk");
              assertThat(c.getReadOnly()).isTrue();
            });
    assertThat(pod.getSpec().getContainers().get(0).getArgs())
        .contains(
            "--volume=student=/var/lib/fastvm/volumes/student/disk.img",
            "--volume=tmpl=/var/lib/fastvm/volumes/tmpl/disk.img");
    // A ReadWriteOnce base: clones run on the node that mounts it.
    assertThat(pod.getMetadata().getLabels()).containsKey(baseLabel(pod));
    assertThat(
            pod.getSpec()
                .getAffinity()
                .getPodAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    // The base cannot be attached writable while it backs clones.
    client.resource(TestVms.newVm("writer", TestVms.spec().disk("root", "tmpl").build())).create();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              var vm =
                  client.resources(VirtualMachine.class).inNamespace(NS).withName("writer").get();
              return vm.getStatus() != null
                  && vm.getStatus().conditions() != null
                  && vm.getStatus().conditions().stream()
                      .anyMatch(
                          c ->
                              "VolumesReady".equals(c.getType())
                                  && c.getMessage().contains("backs overlay clones"));
            });
  }

  private static String baseLabel(Pod pod) {
    return pod.getMetadata().getLabels().keySet().stream()
        .filter(k -> k.startsWith("fastvm.io/base-"))
        .findFirst()
        .orElse("fastvm.io/base-(none)");
  }
}
