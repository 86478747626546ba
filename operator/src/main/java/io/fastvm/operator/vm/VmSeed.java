package io.fastvm.operator.vm;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.Network;
import io.fastvm.api.v1alpha1.VirtualMachine;
import io.fastvm.cloudinit.NoCloudRenderer;
import io.fastvm.cloudinit.NoCloudSeed;
import io.fastvm.cloudinit.RenderedConfig;
import io.fastvm.operator.cloudinit.SecretText;
import io.fastvm.operator.cloudinit.UserDataSecret;
import io.fastvm.operator.secret.SecretUpsert;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A VM's own NoCloud seed, {@code <vm>-seed}: made from its (Ready) CloudInitConfig's Secret and
 * what is particular to the VM (its name, its NICs' MACs), owned by the VM and mounted by its pod,
 * where the launcher turns it into the seed disk. Pure: decides what the Secret must hold.
 */
public final class VmSeed {
  private VmSeed() {}

  /** Label value ({@code app.kubernetes.io/component}) of the VM's seed Secret. */
  public static final String COMPONENT = "cloud-init-seed";

  /** On the seed Secret and the pod: the seed's instance-id, which changes with its content. */
  public static final String INSTANCE_ANNOTATION = "fastvm.io/cloud-init-instance";

  /**
   * @param write the seed Secret to create or update, if it is not as wanted
   * @param secretName the seed Secret the pod mounts, once it can be made
   * @param instanceId the seed's instance-id
   * @param problem why the seed cannot be made yet
   */
  public record Decision(
      Optional<Secret> write,
      Optional<String> secretName,
      Optional<String> instanceId,
      Optional<ReferenceProblem> problem) {

    static Decision waiting(ReferenceProblem problem) {
      return new Decision(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(problem));
    }
  }

  /**
   * @param config the VM's CloudInitConfig, Ready
   * @param userData the config's Secret, if the informer has it
   * @param current the VM's seed Secret, if it exists
   */
  public static Decision decide(
      VirtualMachine vm,
      CloudInitConfig config,
      Optional<Secret> userData,
      Optional<Secret> current) {
    String name = config.getMetadata().getName();
    String wanted = config.getStatus().seedHash();
    if (userData.isEmpty() || !Objects.equals(UserDataSecret.hash(userData.get()), wanted)) {
      return Decision.waiting(
          new ReferenceProblem(
              "CloudInitConfig",
              name,
              "CloudInitConfigNotReady",
              "is Ready but its Secret " + config.getStatus().secretName() + " is not up to date"));
    }
    RenderedConfig rendered;
    try {
      rendered = RenderedConfig.fromSecretData(SecretText.of(userData.get()));
    } catch (IllegalArgumentException e) {
      return Decision.waiting(
          new ReferenceProblem(
              "CloudInitConfig",
              name,
              "CloudInitConfigNotReady",
              "has a Secret "
                  + config.getStatus().secretName()
                  + " that holds no seed: "
                  + e.getMessage()));
    }
    if (current.isPresent() && !SecretUpsert.managed(current.get())) {
      return Decision.waiting(
          new ReferenceProblem(
              "Secret",
              VmNames.cloudInitSeedSecret(vm),
              "SecretConflict",
              "exists but is not managed by fastvm; delete or rename it (the VM's cloud-init seed"
                  + " goes there)"));
    }
    List<String> macs =
        vm.getSpec().networksOrEmpty().stream()
            .map((Network network) -> VmPlanner.macOf(vm, network))
            .toList();
    NoCloudSeed seed =
        NoCloudRenderer.seed(
            rendered, vm.getMetadata().getNamespace(), vm.getMetadata().getName(), macs);
    String instanceId = seed.instanceId();
    Secret desired = secret(vm, seed, instanceId);
    boolean upToDate =
        current.isPresent()
            && instanceId.equals(
                VmMetadata.annotation(current.get(), INSTANCE_ANNOTATION).orElse(null))
            && SecretText.of(current.get()).equals(SecretText.of(desired));
    return new Decision(
        upToDate ? Optional.empty() : Optional.of(desired),
        Optional.of(desired.getMetadata().getName()),
        Optional.of(instanceId),
        Optional.empty());
  }

  static Secret secret(VirtualMachine vm, NoCloudSeed seed, String instanceId) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(NoCloudSeed.USER_DATA, seed.userData());
    files.put(NoCloudSeed.META_DATA, seed.metaData());
    if (seed.networkConfig() != null) {
      files.put(NoCloudSeed.NETWORK_CONFIG, seed.networkConfig());
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace(vm.getMetadata().getNamespace())
        .withName(VmNames.cloudInitSeedSecret(vm))
        .withLabels(VmMetadata.labels(vm, COMPONENT))
        .withAnnotations(Map.of(INSTANCE_ANNOTATION, instanceId))
        .withOwnerReferences(VmMetadata.controllerReference(vm))
        .endMetadata()
        .withType("Opaque")
        .withData(SecretText.data(files))
        .build();
  }
}
