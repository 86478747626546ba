package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.contract.NodeAgentLease;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The informers a VM reconcile reads from, and how their events find the VMs they concern: pods,
 * Services, state PVCs and Secrets (console TLS, cloud-init seeds) by owner reference (only the
 * operator's own, by label); Volumes and CloudInitConfigs by an index of the VMs that refer to
 * them, so that creating or readying one starts the VMs waiting for it at once. A CloudInitConfig's
 * Secret concerns the VMs that refer to the config: its new content makes their new seeds. The node
 * agents' heartbeat Leases concern the VMs on their nodes, by an index of VMs by node.
 */
public record VmEventSources(
    InformerEventSource<Pod, VirtualMachine> pods,
    InformerEventSource<Service, VirtualMachine> services,
    InformerEventSource<PersistentVolumeClaim, VirtualMachine> claims,
    InformerEventSource<Secret, VirtualMachine> secrets,
    InformerEventSource<Volume, VirtualMachine> volumes,
    InformerEventSource<CloudInitConfig, VirtualMachine> cloudInits,
    InformerEventSource<Lease, VirtualMachine> nodeAgents) {

  static final String VOLUME_INDEX = "fastvm.io/volumes";
  static final String CLOUD_INIT_INDEX = "fastvm.io/cloud-init";
  static final String NODE_INDEX = "fastvm.io/node";

  public List<EventSource<?, VirtualMachine>> all() {
    return List.of(pods, services, claims, secrets, volumes, cloudInits, nodeAgents);
  }

  /**
   * @param agentNamespace where the node agents keep their heartbeat Leases (the installation's)
   */
  static VmEventSources create(
      EventSourceContext<VirtualMachine> context, String agentNamespace, Clock clock) {
    context
        .getPrimaryCache()
        .addIndexer(
            VOLUME_INDEX,
            vm ->
                ReferenceResolver.referencedVolumes(vm.getSpec()).stream()
                    .map(name -> key(vm.getMetadata().getNamespace(), name))
                    .toList());
    context
        .getPrimaryCache()
        .addIndexer(
            CLOUD_INIT_INDEX,
            vm ->
                vm.getSpec() == null || vm.getSpec().cloudInit() == null
                    ? List.of()
                    : List.of(
                        key(vm.getMetadata().getNamespace(), vm.getSpec().cloudInit().name())));
    context
        .getPrimaryCache()
        .addIndexer(
            NODE_INDEX,
            vm ->
                vm.getStatus() == null || vm.getStatus().nodeName() == null
                    ? List.of()
                    : List.of(vm.getStatus().nodeName()));

    return new VmEventSources(
        owned(Pod.class, "pods", context),
        owned(Service.class, "services", context),
        owned(PersistentVolumeClaim.class, "state-claims", context),
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Secret.class, VirtualMachine.class)
                .withName("secrets")
                .withLabelSelector(VmMetadata.MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(ownersAndSeedUsers(context))
                .build(),
            context),
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Volume.class, VirtualMachine.class)
                .withName("volumes")
                .withSecondaryToPrimaryMapper(referrers(context, VOLUME_INDEX))
                .withPrimaryToSecondaryMapper(
                    (VirtualMachine vm) ->
                        ReferenceResolver.referencedVolumes(vm.getSpec()).stream()
                            .map(name -> new ResourceID(name, vm.getMetadata().getNamespace()))
                            .collect(Collectors.toSet()))
                .build(),
            context),
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(CloudInitConfig.class, VirtualMachine.class)
                .withName("cloud-init-configs")
                .withSecondaryToPrimaryMapper(referrers(context, CLOUD_INIT_INDEX))
                .withPrimaryToSecondaryMapper(
                    (VirtualMachine vm) ->
                        vm.getSpec() == null || vm.getSpec().cloudInit() == null
                            ? Set.of()
                            : Set.of(
                                new ResourceID(
                                    vm.getSpec().cloudInit().name(),
                                    vm.getMetadata().getNamespace())))
                .build(),
            context),
        nodeAgents(context, agentNamespace, clock));
  }

  /**
   * The node agents' heartbeat Leases, which concern the VMs whose pods run on their node. A
   * renewal is an event only when it brings back an agent that had gone stale or changes the agent:
   * the planner looks again when a fresh heartbeat would go stale, so renewals alone cost nothing.
   */
  private static InformerEventSource<Lease, VirtualMachine> nodeAgents(
      EventSourceContext<VirtualMachine> context, String namespace, Clock clock) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Lease.class, VirtualMachine.class)
            .withName("node-agents")
            .withNamespaces(Set.of(namespace))
            .withFollowControllerNamespacesChanges(false)
            .withLabelSelector(NodeAgentLease.LABEL)
            .withOnUpdateFilter(
                (lease, old) -> {
                  Optional<NodeAgentHeartbeat> before = NodeAgentHeartbeat.of(old);
                  Optional<NodeAgentHeartbeat> after = NodeAgentHeartbeat.of(lease);
                  return before.isEmpty()
                      || after.isEmpty()
                      || !Objects.equals(before.get().holder(), after.get().holder())
                      || !before.get().freshAt(clock.instant());
                })
            .withSecondaryToPrimaryMapper(
                lease ->
                    NodeAgentLease.node(lease.getMetadata().getName()).stream()
                        .flatMap(
                            node -> context.getPrimaryCache().byIndex(NODE_INDEX, node).stream())
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .build(),
        context);
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      InformerEventSource<R, VirtualMachine> owned(
          Class<R> type, String name, EventSourceContext<VirtualMachine> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(type, VirtualMachine.class)
            .withName(name)
            .withLabelSelector(VmMetadata.MANAGED_SELECTOR)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(VirtualMachine.class))
            .build(),
        context);
  }

  private static SecondaryToPrimaryMapper<Secret> ownersAndSeedUsers(
      EventSourceContext<VirtualMachine> context) {
    SecondaryToPrimaryMapper<Secret> owners = Mappers.fromOwnerReferences(VirtualMachine.class);
    return secret -> {
      Set<ResourceID> concerned = new java.util.HashSet<>(owners.toPrimaryResourceIDs(secret));
      secret.getMetadata().getOwnerReferences().stream()
          .filter(r -> "CloudInitConfig".equals(r.getKind()))
          .flatMap(
              r ->
                  context
                      .getPrimaryCache()
                      .byIndex(
                          CLOUD_INIT_INDEX, key(secret.getMetadata().getNamespace(), r.getName()))
                      .stream())
          .map(ResourceID::fromResource)
          .forEach(concerned::add);
      return concerned;
    };
  }

  private static <R extends io.fabric8.kubernetes.api.model.HasMetadata>
      SecondaryToPrimaryMapper<R> referrers(
          EventSourceContext<VirtualMachine> context, String index) {
    return object ->
        context
            .getPrimaryCache()
            .byIndex(
                index, key(object.getMetadata().getNamespace(), object.getMetadata().getName()))
            .stream()
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet());
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
