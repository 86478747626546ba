package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.api.v1alpha1.Volume;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the reconciler sees of a VM and everything around it, at one instant.
 *
 * @param vm the VM
 * @param pods its pods (controlled by this VM's uid)
 * @param statePvc the PVC with the state PVC's name, whoever owns it
 * @param service the Service with the VM Service's name, whoever owns it
 * @param volumes the referenced Volumes that exist, by name
 * @param cloudInit the referenced CloudInitConfig, if it exists
 * @param cloudInitUserData the CloudInitConfig's Secret, if the informer has it
 * @param seed the VM's seed Secret ({@code <vm>-seed}), whoever made it
 * @param nodeAgents the last heartbeat of the node agent on each node of the VM's pods, if any
 * @param now the time of the observation
 */
public record Observed(
    VirtualMachine vm,
    List<Pod> pods,
    Optional<PersistentVolumeClaim> statePvc,
    Optional<Service> service,
    Map<String, Volume> volumes,
    Optional<CloudInitConfig> cloudInit,
    Optional<Secret> cloudInitUserData,
    Optional<Secret> seed,
    Map<String, NodeAgentHeartbeat> nodeAgents,
    Instant now) {

  /** Without cloud-init Secrets (a VM without cloud-init, or one whose config is not Ready). */
  public Observed(
      VirtualMachine vm,
      List<Pod> pods,
      Optional<PersistentVolumeClaim> statePvc,
      Optional<Service> service,
      Map<String, Volume> volumes,
      Optional<CloudInitConfig> cloudInit,
      Instant now) {
    this(
        vm,
        pods,
        statePvc,
        service,
        volumes,
        cloudInit,
        Optional.empty(),
        Optional.empty(),
        Map.of(),
        now);
  }

  /** The same observation, with these node agents' heartbeats. */
  public Observed withNodeAgents(Map<String, NodeAgentHeartbeat> agents) {
    return new Observed(
        vm, pods, statePvc, service, volumes, cloudInit, cloudInitUserData, seed, agents, now);
  }
}
