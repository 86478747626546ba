package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.VirtualMachineStatus;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.contract.NodeAgentLease;
import io.fastvm.contract.console.pki.ConsoleCertificateAuthority;
import io.fastvm.operator.config.OperatorSettings;
import io.fastvm.operator.console.CertificateRenewals;
import io.fastvm.operator.console.ConsoleCa;
import io.fastvm.operator.console.ConsoleTlsSecrets;
import io.fastvm.operator.console.ConsoleTlsSettings;
import io.fastvm.operator.events.EventPosting;
import io.fastvm.operator.events.EventRecorder;
import io.fastvm.operator.metrics.VmMetrics;
import io.fastvm.operator.secret.SecretUpsert;
import io.fastvm.operator.status.PlannedEvent;
import io.fastvm.operator.status.StatusWrite;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Reconciles a VirtualMachine: gathers what is observed ({@link Observed}), lets {@link VmPlanner}
 * decide, carries the plan out with plain creates, deletes and merge patches (never apply, which
 * would take over an object of someone else's under the VM's names), merge-patches the status
 * subresource (guarded by the observed resourceVersion) and posts the events. Not generation-aware,
 * since annotations (restart, stop) do not change the generation; {@link VmUpdateFilter} skips the
 * VM's own status updates instead.
 */
@ControllerConfiguration(
    name = VirtualMachineReconciler.NAME,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = VmUpdateFilter.class))
public class VirtualMachineReconciler implements Reconciler<VirtualMachine>, EventPosting {
  public static final String NAME = "virtualmachine";
  private static final Logger LOG = Logger.getLogger(VirtualMachineReconciler.class);

  private final OperatorSettings settings;
  private final VmMetrics metrics;
  private final Clock clock;
  private final ConsoleCa consoleCa;
  private final CertificateRenewals consoleRenewals;
  private volatile VmEventSources sources;
  private volatile EventRecorder events;

  @Inject
  public VirtualMachineReconciler(
      OperatorSettings settings, VmMetrics metrics, ConsoleTlsSettings console) {
    this(settings, metrics, Clock.systemUTC(), console);
  }

  public VirtualMachineReconciler(OperatorSettings settings, VmMetrics metrics) {
    this(settings, metrics, Clock.systemUTC(), ConsoleTlsSettings.defaults());
  }

  public VirtualMachineReconciler(
      OperatorSettings settings, VmMetrics metrics, Clock clock, ConsoleTlsSettings console) {
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
    this.consoleCa = new ConsoleCa(console, clock);
    this.consoleRenewals = new CertificateRenewals(console.renewBefore());
  }

  @Override
  public List<EventSource<?, VirtualMachine>> prepareEventSources(
      EventSourceContext<VirtualMachine> context) {
    sources = VmEventSources.create(context, consoleCa.namespace(context.getClient()), clock);
    events = new EventRecorder(context.getClient(), "fastvm-operator", clock);
    metrics.countVmsFrom(() -> context.getPrimaryCache().list());
    return sources.all();
  }

  @Override
  public UpdateControl<VirtualMachine> reconcile(
      VirtualMachine vm, Context<VirtualMachine> context) {
    long started = System.nanoTime();
    try {
      Optional<Duration> renewConsoleTls = ensureConsoleTls(vm, context.getClient());
      Observed observed = observe(vm, context);
      VmPlan plan = VmPlanner.plan(observed, settings);
      for (VmAction action : plan.actions()) {
        apply(vm, action, context.getClient());
      }
      patchStatus(vm, plan.status(), context);
      for (PlannedEvent event : plan.events()) {
        events.record(vm, event.warning(), event.reason(), event.message());
      }
      return earliest(plan.requeueAfter(), renewConsoleTls)
          .map(d -> UpdateControl.<VirtualMachine>noUpdate().rescheduleAfter(d))
          .orElseGet(UpdateControl::noUpdate);
    } catch (KubernetesClientException e) {
      metrics.reconcileFailed();
      events.record(
          vm,
          true,
          "ApiError",
          "reconcile failed, retrying: " + e.getCode() + " " + firstLine(e.getMessage()));
      throw e;
    } finally {
      metrics.reconciled(Duration.ofNanos(System.nanoTime() - started));
    }
  }

  /**
   * API errors are retried by the framework; the status keeps saying what the VM is, not what the
   * operator last tripped over, so it does not flap. The error shows as an Event and a metric.
   */
  @Override
  public ErrorStatusUpdateControl<VirtualMachine> updateErrorStatus(
      VirtualMachine vm, Context<VirtualMachine> context, Exception e) {
    return ErrorStatusUpdateControl.defaultErrorProcessing();
  }

  /**
   * Keeps the VM's console endpoint certificate valid (created before the pod that mounts it, so
   * the kubelet never waits for it long) and the proxy's client certificate with it.
   *
   * @return when to look again, if the certificate is due for renewal before the usual resync
   */
  private Optional<Duration> ensureConsoleTls(VirtualMachine vm, KubernetesClient client) {
    ConsoleCertificateAuthority ca = consoleCa.authority(client);
    consoleCa.ensureProxyCertificate(client);
    ConsoleTlsSettings tls = consoleCa.settings();
    ResourceID id = new ResourceID(VmNames.consoleTlsSecret(vm), vm.getMetadata().getNamespace());
    Optional<Secret> current = sources.secrets().get(id);
    String identity = ConsoleTlsSecrets.endpointIdentity(vm);
    Instant now = clock.instant();
    Instant renewAt =
        consoleRenewals.renewAt(
            current,
            identity,
            ca.certificatePem(),
            secret -> sources.secrets().get(secret).isPresent());
    if (!now.isBefore(renewAt)) {
      Secret desired =
          ConsoleTlsSecrets.endpointSecret(
              vm,
              ca.issueEndpoint(
                  vm.getMetadata().getNamespace(),
                  vm.getMetadata().getName(),
                  tls.certificateValidity()));
      Secret written = SecretUpsert.upsert(client, desired, sources.secrets());
      renewAt = now.plus(tls.certificateValidity()).minus(tls.renewBefore());
      consoleRenewals.issued(written, identity, ca.certificatePem(), renewAt);
    }
    return Optional.of(Duration.between(now, renewAt).plusSeconds(1));
  }

  private static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return Optional.of(a.get().compareTo(b.get()) <= 0 ? a.get() : b.get());
  }

  private Observed observe(VirtualMachine vm, Context<VirtualMachine> context) {
    String namespace = vm.getMetadata().getNamespace();
    List<Pod> pods =
        context.getSecondaryResources(Pod.class).stream()
            .filter(p -> VmMetadata.controlledBy(p, vm))
            .toList();
    Map<String, Volume> volumes = new LinkedHashMap<>();
    for (Volume volume : context.getSecondaryResources(Volume.class)) {
      volumes.put(volume.getMetadata().getName(), volume);
    }
    // The bases of overlay clones are not in the VM's spec, but its pod mounts them.
    ReferenceResolver.backings(volumes)
        .values()
        .forEach(
            base ->
                sources
                    .volumes()
                    .get(new ResourceID(base, namespace))
                    .ifPresent(v -> volumes.putIfAbsent(base, v)));
    Optional<CloudInitConfig> cloudInit =
        vm.getSpec().cloudInit() == null
            ? Optional.empty()
            : sources.cloudInits().get(new ResourceID(vm.getSpec().cloudInit().name(), namespace));
    KubernetesClient client = context.getClient();
    Optional<PersistentVolumeClaim> statePvc =
        cachedOrByName(
            sources.claims(),
            new ResourceID(VmNames.statePvc(vm), namespace),
            VmStateClaim.needed(vm.getSpec()),
            client.persistentVolumeClaims().inNamespace(namespace).withName(VmNames.statePvc(vm)));
    Optional<Service> service =
        cachedOrByName(
            sources.services(),
            new ResourceID(VmNames.service(vm), namespace),
            VmService.desired(vm).isPresent(),
            client.services().inNamespace(namespace).withName(VmNames.service(vm)));
    // Both are labelled as the operator's: the config's Secret and the VM's own seed.
    Optional<Secret> userData =
        cloudInit
            .map(CloudInitConfig::getStatus)
            .map(status -> status.secretName())
            .flatMap(name -> sources.secrets().get(new ResourceID(name, namespace)));
    // Looked up by name only once there is a seed to write (the config rendered).
    Optional<Secret> seed =
        vm.getSpec().cloudInit() == null
            ? Optional.empty()
            : cachedOrByName(
                sources.secrets(),
                new ResourceID(VmNames.cloudInitSeedSecret(vm), namespace),
                userData.isPresent(),
                client.secrets().inNamespace(namespace).withName(VmNames.cloudInitSeedSecret(vm)));
    return new Observed(
        vm,
        pods,
        statePvc,
        service,
        volumes,
        cloudInit,
        userData,
        seed,
        nodeAgents(pods, consoleCa.namespace(client)),
        clock.instant());
  }

  /** The heartbeats of the node agents on the nodes of the VM's pods. */
  private Map<String, NodeAgentHeartbeat> nodeAgents(List<Pod> pods, String agentNamespace) {
    Map<String, NodeAgentHeartbeat> agents = new LinkedHashMap<>();
    for (Pod pod : pods) {
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      if (node != null && !agents.containsKey(node)) {
        sources
            .nodeAgents()
            .get(new ResourceID(NodeAgentLease.name(node), agentNamespace))
            .flatMap(NodeAgentHeartbeat::of)
            .ifPresent(h -> agents.put(node, h));
      }
    }
    return agents;
  }

  /**
   * The object from the informer's cache, else, when the VM needs it, from the API server by name.
   * The informers see only objects labelled as the operator's: one made by someone else under that
   * name shows only this way, so the VM reports the conflict instead of failing to create it on
   * every reconcile.
   */
  private static <T extends HasMetadata> Optional<T> cachedOrByName(
      InformerEventSource<T, VirtualMachine> source,
      ResourceID id,
      boolean needed,
      Resource<T> byName) {
    Optional<T> cached = source.get(id);
    if (cached.isPresent() || !needed) {
      return cached;
    }
    return Optional.ofNullable(byName.get());
  }

  private void apply(VirtualMachine vm, VmAction action, KubernetesClient client) {
    String namespace = vm.getMetadata().getNamespace();
    switch (action) {
      case VmAction.CreateStatePvc create ->
          createIfAbsent(
              vm,
              sources.claims(),
              client.persistentVolumeClaims().inNamespace(namespace).resource(create.claim()));
      // The planner checked the seed Secret is ours.
      case VmAction.WriteSeed write -> SecretUpsert.upsert(client, write.seed(), sources.secrets());
      case VmAction.CreatePod create -> {
        createIfAbsent(
            vm, sources.pods(), client.pods().inNamespace(namespace).resource(create.pod()));
        metrics.podCreated();
      }
      case VmAction.DeletePod delete -> {
        var pod = client.pods().inNamespace(namespace).withName(delete.name());
        if (delete.force()) {
          pod.withGracePeriod(0).delete();
        } else {
          pod.delete();
        }
        metrics.podDeleted(delete.why());
      }
      case VmAction.CreateService create ->
          createIfAbsent(
              vm,
              sources.services(),
              client.services().inNamespace(namespace).resource(create.service()));
      case VmAction.UpdateService update -> {
        // A merge patch of the fields the operator owns; the cluster IP stays.
        String patch =
            "{\"spec\":{\"selector\":"
                + VmJson.json(update.service().getSpec().getSelector())
                + ",\"ports\":"
                + VmJson.json(update.service().getSpec().getPorts())
                + "}}";
        Service updated =
            client
                .services()
                .inNamespace(namespace)
                .withName(update.service().getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        sources
            .services()
            .handleRecentResourceUpdate(ResourceID.fromResource(updated), updated, updated);
      }
      case VmAction.DeleteService delete ->
          client.services().inNamespace(namespace).withName(delete.name()).delete();
    }
  }

  /**
   * Creates an object; AlreadyExists means an earlier attempt (or an earlier operator process) made
   * it, which is fine when it is ours and reported when it is not. The created object goes into the
   * informer's cache at once, so the next reconcile sees it even before its watch event.
   */
  private <T extends HasMetadata> void createIfAbsent(
      VirtualMachine vm, InformerEventSource<T, VirtualMachine> source, Resource<T> resource) {
    try {
      T created = resource.create();
      source.handleRecentResourceCreate(ResourceID.fromResource(created), created);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      T found = resource.get();
      T object = resource.item();
      if (found != null && VmMetadata.controlledBy(found, vm)) {
        LOG.debugf("%s %s already exists", object.getKind(), object.getMetadata().getName());
        source.handleRecentResourceCreate(ResourceID.fromResource(found), found);
        return;
      }
      // Someone else's object holds the name: never adopt or overwrite it. The framework retries
      // with back-off and the event says what to do.
      throw new KubernetesClientException(
          object.getKind()
              + " "
              + object.getMetadata().getName()
              + " exists but does not belong to this VM; delete or rename it",
          409,
          null);
    }
  }

  private void patchStatus(
      VirtualMachine vm, VirtualMachineStatus status, Context<VirtualMachine> context) {
    var outcome = StatusWrite.write(context.getClient(), vm, status);
    if (outcome.conflict()) {
      metrics.statusConflict();
    }
    // The next reconcile must see this status even if the watch event is still on its way.
    outcome
        .written()
        .ifPresent(
            updated ->
                context
                    .eventSourceRetriever()
                    .getControllerEventSource()
                    .handleRecentResourceUpdate(ResourceID.fromResource(vm), updated, vm));
  }

  @Override
  public EventRecorder eventRecorder() {
    return events;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
