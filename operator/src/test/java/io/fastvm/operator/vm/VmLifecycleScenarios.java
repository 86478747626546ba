package io.fastvm.operator.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.api.v1alpha1.PrintableStatus;
import io.fastvm.api.v1alpha1.RunStrategy;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.status.Conditions;
import io.fastvm.operator.status.StatusPatch;
import io.fastvm.operator.testing.OperatorScenario;
import io.fastvm.operator.testing.PodStates;
import io.fastvm.operator.testing.RunningOperator;
import io.fastvm.operator.testing.TestCluster;
import io.fastvm.operator.testing.TestVms;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The operator running (informers, watches, reconciles) against an API server: the fabric8 mock in
 * CRUD mode ({@link VmLifecycleMockServerTest}) and a real kube-apiserver with its
 * controller-manager ({@link VmLifecycleRealServerTest}) run the same scenarios. The fake kubelet
 * plays the node: it reports pods running, powered off, failed or lost, and makes deletions
 * graceful. One operator serves all tests of a class; each test has its own VMs.
 */
abstract class VmLifecycleScenarios extends OperatorScenario {
  static final Duration WAIT = Duration.ofSeconds(20);

  /** Called by the subclass's {@code @BeforeAll} with its cluster. */
  void begin(TestCluster testCluster) {
    OperatorSettings settings =
        OperatorSettings.defaults()
            // Long enough that CrashLoopBackOff is seen before the retry on a busy machine
            // (pod times are whole seconds, so up to one of them is gone already).
            .withBackoff(Duration.ofSeconds(3), Duration.ofSeconds(6))
            .withNodeLostTimeout(Duration.ofSeconds(2));
    begin(testCluster, c -> RunningOperator.start(c, settings));
  }

  // --- helpers -------------------------------------------------------------------------------

  void readyVolume(String name) {
    Volume volume = client.resource(TestVms.volume(name)).create();
    volume.setStatus(TestVms.readyStatus(name + "-pvc"));
    client.resource(volume).updateStatus();
  }

  VirtualMachine create(String name, VirtualMachineSpec spec) {
    return client.resource(TestVms.newVm(name, spec)).create();
  }

  VirtualMachine get(String name) {
    return client.resources(VirtualMachine.class).inNamespace(NS).withName(name).get();
  }

  VirtualMachineStatus awaitStatus(String name, Predicate<VirtualMachineStatus> test) {
    return awaitStatus("VM " + name, WAIT, () -> get(name).getStatus(), test);
  }

  VirtualMachineStatus awaitPrintable(String name, PrintableStatus printable) {
    return awaitStatus(name, s -> s.printableStatus() == printable);
  }

  List<Pod> pods(String vm) {
    String uid = get(vm).getMetadata().getUid();
    return client.pods().inNamespace(NS).withLabel(VmMetadata.VM_UID_LABEL, uid).list().getItems();
  }

  List<Pod> activePods(String vm) {
    return pods(vm).stream().filter(p -> !new PodView(p).terminal()).toList();
  }

  /** Waits for exactly one active pod (other than {@code not}) and returns its name. */
  String awaitPod(String vm, String not) {
    String[] found = new String[1];
    await()
        .atMost(WAIT)
        .until(
            () -> {
              List<Pod> active = activePods(vm);
              if (active.size() != 1 || active.get(0).getMetadata().getName().equals(not)) {
                return false;
              }
              found[0] = active.get(0).getMetadata().getName();
              return true;
            });
    return found[0];
  }

  String awaitPod(String vm) {
    return awaitPod(vm, "");
  }

  void annotate(String vm, String key, String value) {
    client
        .resources(VirtualMachine.class)
        .inNamespace(NS)
        .withName(vm)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}");
  }

  void setStrategy(String vm, RunStrategy strategy) {
    String value = client.getKubernetesSerialization().asJson(strategy);
    client
        .resources(VirtualMachine.class)
        .inNamespace(NS)
        .withName(vm)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"runStrategy\":" + value + "}}");
  }

  List<String> eventReasons(String vm) {
    return events(vm).stream().map(Event::getReason).toList();
  }

  VirtualMachineSpec always(String volume) {
    return TestVms.spec().disk("root", volume).build();
  }

  // --- tests -----------------------------------------------------------------------------------

  @Test
  void vmRunsWhenItsPodRunsAndShowsNodeAndIpLikeKubectlGet() {
    readyVolume("a-root");
    create("a", TestVms.spec().disk("root", "a-root").natWithSsh().build());
    String pod = awaitPod("a");
    assertThat(awaitStatus("a", s -> s.podName() != null).podName()).isEqualTo(pod);
    awaitPrintable("a", PrintableStatus.STARTING);

    kubelet.run(NS, pod, true);
    VirtualMachineStatus status = awaitPrintable("a", PrintableStatus.RUNNING);
    // The kubectl get columns: Status, Node, IP, CPUs.
    assertThat(status.nodeName()).isEqualTo(PodStates.NODE);
    assertThat(status.ipAddress()).isEqualTo(PodStates.POD_IP);
    assertThat(status.vcpus()).isEqualTo(2);
    assertThat(status.observedGeneration()).isEqualTo(get("a").getMetadata().getGeneration());
    assertThat(Conditions.find(status.conditions(), VmConditions.READY).get().getStatus())
        .isEqualTo("True");
    assertThat(client.services().inNamespace(NS).withName("a").get().getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(2222));
    await()
        .atMost(WAIT)
        .until(() -> eventReasons("a").containsAll(List.of("Running", "ServiceCreated")));
    assertThat(pods("a")).hasSize(1);
    // What kubectl get shows: the CRD's printer columns evaluated on the stored object.
    assertThat(printerColumns(get("a")))
        .containsEntry("Status", "Running")
        .containsEntry("Node", PodStates.NODE)
        .containsEntry("IP", PodStates.POD_IP)
        .containsEntry("CPUs", "2")
        .containsEntry("Memory", "1Gi")
        .containsEntry("Pod", pod);
  }

  @Test
  void alwaysRestartsAfterPowerOffAndAfterThePodIsDeletedFromUnderIt() {
    readyVolume("b-root");
    create("b", always("b-root"));
    String first = awaitPod("b");
    kubelet.run(NS, first, true);
    awaitPrintable("b", PrintableStatus.RUNNING);

    kubelet.exit(NS, first, 0, "guest powered off");
    String second = awaitPod("b", first);
    await().atMost(WAIT).until(() -> pods("b").size() == 1);
    kubelet.run(NS, second, true);
    awaitStatus(
        "b", s -> s.printableStatus() == PrintableStatus.RUNNING && second.equals(s.podName()));

    kubelet.vanish(NS, second);
    String third = awaitPod("b", second);
    assertThat(third).endsWith("-3");
    await().atMost(WAIT).until(() -> eventReasons("b").contains("PodDeleted"));
  }

  @Test
  void failuresCrashLoopWithBackoffThenRestart() {
    readyVolume("c-root");
    create(
        "c",
        TestVms.spec().runStrategy(RunStrategy.RERUN_ON_FAILURE).disk("root", "c-root").build());
    String first = awaitPod("c");
    kubelet.run(NS, first, true);
    kubelet.exit(NS, first, 4, "QEMU crashed: signal 11");
    VirtualMachineStatus status = awaitPrintable("c", PrintableStatus.CRASH_LOOP_BACK_OFF);
    assertThat(status.failureCount()).isEqualTo(1);
    assertThat(status.retryAfter()).isNotNull();
    assertThat(Conditions.find(status.conditions(), VmConditions.READY).get().getMessage())
        .contains("QEMU crashed: signal 11");
    String second = awaitPod("c", first);
    assertThat(client.pods().inNamespace(NS).withName(second).get().getMetadata().getAnnotations())
        .containsEntry(VmMetadata.FAILURE_COUNT_ANNOTATION, "1");
    kubelet.exit(NS, second, 3, "cannot open disk");
    awaitStatus("c", s -> s.failureCount() != null && s.failureCount() == 2);
    awaitPod("c", second);
    await().atMost(WAIT).until(() -> eventReasons("c").contains("CrashLoopBackOff"));
  }

  @Test
  void rerunOnFailureAndOnceStayDownWhenTheyShould() {
    readyVolume("d-root");
    readyVolume("e-root");
    create(
        "d",
        TestVms.spec().runStrategy(RunStrategy.RERUN_ON_FAILURE).disk("root", "d-root").build());
    create("e", TestVms.spec().runStrategy(RunStrategy.ONCE).disk("root", "e-root").build());
    String d = awaitPod("d");
    String e = awaitPod("e");
    kubelet.exit(NS, d, 0, "");
    kubelet.exit(NS, e, 2, "invalid manifest");
    awaitPrintable("d", PrintableStatus.STOPPED);
    VirtualMachineStatus failed = awaitPrintable("e", PrintableStatus.FAILED);
    assertThat(Conditions.find(failed.conditions(), VmConditions.READY).get().getMessage())
        .contains("invalid manifest");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(WAIT)
        .until(() -> activePods("d").isEmpty() && activePods("e").isEmpty());
  }

  @Test
  void nodeLostPodIsForceDeletedAfterTheTimeoutAndTheVmStartsAgain() {
    readyVolume("f-root");
    create("f", always("f-root"));
    String first = awaitPod("f");
    kubelet.run(NS, first, true);
    awaitPrintable("f", PrintableStatus.RUNNING);
    kubelet.unknown(NS, first);
    awaitPrintable("f", PrintableStatus.UNKNOWN);
    String second = awaitPod("f", first);
    assertThat(client.pods().inNamespace(NS).withName(first).get()).isNull();
    await().atMost(WAIT).until(() -> eventReasons("f").contains("NodeLost"));
    kubelet.run(NS, second, true);
    awaitPrintable("f", PrintableStatus.RUNNING);
  }

  @Test
  void haltedStopsGracefullyAndManualFollowsStartAndStopRequests() {
    readyVolume("g-root");
    create("g", always("g-root"));
    String first = awaitPod("g");
    kubelet.run(NS, first, true);
    awaitPrintable("g", PrintableStatus.RUNNING);

    setStrategy("g", RunStrategy.HALTED);
    awaitPrintable("g", PrintableStatus.STOPPED);
    await().atMost(WAIT).until(() -> pods("g").isEmpty());

    setStrategy("g", RunStrategy.MANUAL);
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> pods("g").isEmpty());
    annotate("g", VirtualMachine.RESTART_ANNOTATION, "2026-11-23T10:00:00Z");
    String started = awaitPod("g");
    kubelet.run(NS, started, true);
    assertThat(awaitPrintable("g", PrintableStatus.RUNNING).restartedAt())
        .isEqualTo("2026-11-23T10:00:00Z");

    annotate("g", VmMetadata.STOP_ANNOTATION, "2026-11-23T10:05:00Z");
    awaitPrintable("g", PrintableStatus.STOPPED);
    await().atMost(WAIT).until(() -> activePods("g").isEmpty());
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> activePods("g").isEmpty());
    await().atMost(WAIT).until(() -> eventReasons("g").contains("Stopping"));
  }

  @Test
  void specChangeSetsRestartRequiredAndTheRestartAnnotationAppliesIt() {
    readyVolume("h-root");
    create("h", always("h-root"));
    String first = awaitPod("h");
    kubelet.run(NS, first, true);
    awaitPrintable("h", PrintableStatus.RUNNING);

    client
        .resources(VirtualMachine.class)
        .inNamespace(NS)
        .withName("h")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"memory\":\"3Gi\"}}");
    VirtualMachineStatus status =
        awaitStatus(
            "h", s -> Conditions.find(s.conditions(), VmConditions.RESTART_REQUIRED).isPresent());
    assertThat(status.printableStatus()).isEqualTo(PrintableStatus.RUNNING);
    assertThat(
            Conditions.find(status.conditions(), VmConditions.RESTART_REQUIRED).get().getMessage())
        .contains("memory");
    assertThat(activePods("h")).extracting(p -> p.getMetadata().getName()).containsExactly(first);

    annotate("h", VirtualMachine.RESTART_ANNOTATION, "restart-1");
    String second = awaitPod("h", first);
    Pod pod = client.pods().inNamespace(NS).withName(second).get();
    assertThat(
            pod.getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getRequests()
                .get("memory")
                .toString())
        .startsWith("3");
    kubelet.run(NS, second, true);
    VirtualMachineStatus after =
        awaitStatus(
            "h", s -> s.printableStatus() == PrintableStatus.RUNNING && second.equals(s.podName()));
    assertThat(after.restartedAt()).isEqualTo("restart-1");
    assertThat(Conditions.find(after.conditions(), VmConditions.RESTART_REQUIRED)).isEmpty();
    // Acted on once: the pod keeps running.
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> activePods("h").size() == 1);
  }

  @Test
  void missingVolumesAndCloudInitWaitThenStartWhenTheyAppear() {
    create("i", TestVms.spec().disk("root", "i-root").cloudInit("i-init").build());
    VirtualMachineStatus waiting = awaitPrintable("i", PrintableStatus.WAITING_FOR_VOLUMES);
    assertThat(Conditions.find(waiting.conditions(), VmConditions.VOLUMES_READY).get().getMessage())
        .contains("Volume i-root does not exist");
    assertThat(
            Conditions.find(waiting.conditions(), VmConditions.CLOUD_INIT_READY).get().getReason())
        .isEqualTo("CloudInitConfigNotFound");
    await().atMost(WAIT).until(() -> eventReasons("i").contains("VolumeNotFound"));

    client.resource(TestVms.volume("i-root")).create();
    awaitStatus(
        "i",
        s ->
            Conditions.find(s.conditions(), VmConditions.VOLUMES_READY)
                .get()
                .getMessage()
                .contains("not Ready"));
    Volume volume = client.resources(Volume.class).inNamespace(NS).withName("i-root").get();
    volume.setStatus(TestVms.readyStatus("i-root-pvc"));
    client.resource(volume).updateStatus();
    awaitStatus(
        "i",
        s ->
            "True"
                .equals(
                    Conditions.find(s.conditions(), VmConditions.VOLUMES_READY).get().getStatus()));
    assertThat(pods("i")).isEmpty();

    // The CloudInitConfig reconciler renders it; the VM's own seed is made from its Secret.
    client.resource(TestVms.cloudInit("i-init")).create();
    String pod = awaitPod("i");
    assertThat(client.pods().inNamespace(NS).withName(pod).get().getSpec().getVolumes())
        .anySatisfy(
            v ->
                assertThat(v.getSecret() == null ? null : v.getSecret().getSecretName())
                    .isEqualTo("i-seed"));
    assertThat(client.secrets().inNamespace(NS).withName("i-seed").get().getData())
        .containsKeys("user-data", "meta-data");
  }

  @Test
  void invalidSpecIsReportedAndDoesNotStopOtherVms() {
    readyVolume("j-root");
    // Two writable disks on one Volume: the schema cannot catch it, the operator must.
    create("j", TestVms.spec().disk("a", "j-root").disk("b", "j-root").build());
    VirtualMachineStatus status = awaitPrintable("j", PrintableStatus.ERROR_INVALID_SPEC);
    assertThat(Conditions.find(status.conditions(), VmConditions.READY).get().getMessage())
        .contains("only read-only disks may share a Volume");
    await().atMost(WAIT).until(() -> eventReasons("j").contains("InvalidSpec"));
    assertThat(pods("j")).isEmpty();

    readyVolume("k-root");
    create("k", always("k-root"));
    awaitPod("k");
  }

  @Test
  void uefiAndTpmGetAnOwnedStatePvcKeptAcrossRestarts() {
    readyVolume("l-root");
    create("l", TestVms.spec().disk("root", "l-root").uefiWithTpm().build());
    String first = awaitPod("l");
    var pvc = client.persistentVolumeClaims().inNamespace(NS).withName("l-state").get();
    assertThat(pvc).isNotNull();
    assertThat(pvc.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getController()).isTrue();
              assertThat(ref.getUid()).isEqualTo(get("l").getMetadata().getUid());
            });
    String uid = pvc.getMetadata().getUid();
    kubelet.exit(NS, first, 0, "");
    awaitPod("l", first);
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(NS)
                .withName("l-state")
                .get()
                .getMetadata()
                .getUid())
        .isEqualTo(uid);
  }

  @Test
  void objectsOfSomeoneElseUnderTheVmsNamesAreReportedNeverAdoptedOrOverwritten() {
    // Made by a user, without the operator's labels: the label-filtered informers never see them.
    client
        .persistentVolumeClaims()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("s-state")
                .addToLabels("owner", "someone-else")
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();
    client
        .services()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata()
                .withName("s")
                .addToLabels("owner", "someone-else")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .create();
    readyVolume("s-root");
    create("s", TestVms.spec().disk("root", "s-root").uefiWithTpm().natWithSsh().build());
    VirtualMachineStatus status =
        awaitStatus(
            "s",
            st ->
                Conditions.find(st.conditions(), VmConditions.READY)
                    .map(c -> "StateVolumeConflict".equals(c.getReason()))
                    .orElse(false));
    assertThat(Conditions.find(status.conditions(), VmConditions.READY).get().getMessage())
        .contains("PVC s-state exists but does not belong to this VM");
    await().atMost(WAIT).until(() -> eventReasons("s").contains("ServiceConflict"));
    assertThat(pods("s")).isEmpty();
    assertThat(client.services().inNamespace(NS).withName("s").get().getMetadata().getLabels())
        .containsOnly(Map.entry("owner", "someone-else"));
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(NS)
                .withName("s-state")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .isEmpty();

    // Once the user removes the PVC, the VM gets its own and starts.
    client.persistentVolumeClaims().inNamespace(NS).withName("s-state").delete();
    awaitPod("s");
  }

  @Test
  void unschedulablePodShowsErrorUnschedulable() {
    readyVolume("m-root");
    create("m", always("m-root"));
    String pod = awaitPod("m");
    kubelet.unschedulable(
        NS, pod, "0/3 nodes are available: 3 Insufficient devices.fastvm.io/kvm.");
    VirtualMachineStatus status = awaitPrintable("m", PrintableStatus.ERROR_UNSCHEDULABLE);
    assertThat(Conditions.find(status.conditions(), VmConditions.READY).get().getMessage())
        .contains("Insufficient devices.fastvm.io/kvm");
  }

  @Test
  void deletingTheVmLeavesVolumesAndOwnsEverythingElse() {
    readyVolume("n-root");
    create("n", TestVms.spec().disk("root", "n-root").uefiWithTpm().natWithSsh().build());
    String pod = awaitPod("n");
    await().atMost(WAIT).until(() -> client.services().inNamespace(NS).withName("n").get() != null);
    String uid = get("n").getMetadata().getUid();
    // The garbage collector (absent in the mock) deletes what the VM controls; the pod's grace
    // period lets the launcher power the guest down first. Volumes are not owned. On a real
    // server that collector runs: the owned objects must really go.
    assertThat(client.pods().inNamespace(NS).withName(pod).get().getMetadata().getOwnerReferences())
        .anySatisfy(r -> assertThat(r.getUid()).isEqualTo(uid));
    assertThat(
            client
                .services()
                .inNamespace(NS)
                .withName("n")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .anySatisfy(r -> assertThat(r.getUid()).isEqualTo(uid));
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(NS)
                .withName("n-state")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .anySatisfy(r -> assertThat(r.getUid()).isEqualTo(uid));
    client.resources(VirtualMachine.class).inNamespace(NS).withName("n").delete();
    await().atMost(WAIT).until(() -> get("n") == null);
    if (cluster.real()) {
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  client.pods().inNamespace(NS).withName(pod).get() == null
                      && client.services().inNamespace(NS).withName("n").get() == null
                      && client.persistentVolumeClaims().inNamespace(NS).withName("n-state").get()
                          == null
                      && client.secrets().inNamespace(NS).withName("n-console-tls").get() == null);
    }
    assertThat(client.resources(Volume.class).inNamespace(NS).withName("n-root").get()).isNotNull();
    assertThat(
            client
                .resources(Volume.class)
                .inNamespace(NS)
                .withName("n-root")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .isEmpty();
  }

  @Test
  void metricsCountReconcilesAndVmsByPhase() {
    readyVolume("o-root");
    create("o", always("o-root"));
    String pod = awaitPod("o");
    kubelet.run(NS, pod, true);
    awaitPrintable("o", PrintableStatus.RUNNING);
    assertThat(operator.reconciles()).isPositive();
    assertThat(operator.registry().get("fastvm.vms").tag("phase", "Running").gauge().value())
        .isGreaterThanOrEqualTo(1);
    assertThat(operator.registry().get("fastvm.vm.pods.created").counter().count()).isPositive();
  }

  /**
   * The operator's status writes carry the resourceVersion of the VM they were computed from
   * (StatusPatch): the API server must refuse one computed from an older version with 409, which
   * the reconciler drops (a newer event reconciles again) instead of overwriting newer status.
   */
  @Test
  void aStatusWriteForAnOlderVersionOfTheVmIsRefused() {
    readyVolume("p-root");
    VirtualMachine created = create("p", always("p-root"));
    awaitPod("p");
    // The operator's first status write makes a newer version than the one created.
    awaitStatus("p", s -> s.podName() != null);
    VirtualMachine now = get("p");
    assertThat(now.getMetadata().getResourceVersion())
        .isNotEqualTo(created.getMetadata().getResourceVersion());
    String stale =
        StatusPatch.between(
                now.getStatus(),
                new VirtualMachineStatus(
                    io.fastvm.api.v1alpha1.VmPhase.FAILED,
                    PrintableStatus.FAILED,
                    List.of(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null),
                created.getMetadata().getResourceVersion())
            .orElseThrow();
    var refused =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            io.fabric8.kubernetes.client.KubernetesClientException.class,
            () ->
                client
                    .resources(VirtualMachine.class)
                    .inNamespace(NS)
                    .withName("p")
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), stale));
    assertThat(refused).as("a stale status write was accepted").isNotNull();
    assertThat(refused.getCode()).isEqualTo(409);
    assertThat(get("p").getStatus().printableStatus()).isNotEqualTo(PrintableStatus.FAILED);
  }

  /** The VM CRD's additionalPrinterColumns ({@code .a.b} paths) evaluated on {@code vm}. */
  Map<String, String> printerColumns(VirtualMachine vm) {
    var crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("virtualmachines.fastvm.io")
            .get();
    JsonNode json = client.getKubernetesSerialization().convertValue(vm, JsonNode.class);
    Map<String, String> columns = new LinkedHashMap<>();
    for (var column : crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns()) {
      JsonNode node = json;
      for (String part : column.getJsonPath().substring(1).split("\\.")) {
        node = node.path(part);
      }
      columns.put(column.getName(), node.isMissingNode() ? "" : node.asText());
    }
    return columns;
  }
}
