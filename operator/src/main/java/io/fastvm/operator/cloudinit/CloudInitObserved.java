package io.fastvm.operator.cloudinit;

import io.fabric8.kubernetes.api.model.Secret;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a CloudInitConfig reconcile sees.
 *
 * @param config the CloudInitConfig
 * @param passwordSecrets the Secrets its users' passwords refer to that exist, by name
 * @param userData its rendered Secret, whoever made it (a namesake of someone else's is refused)
 * @param now the time of the observation
 */
public record CloudInitObserved(
    CloudInitConfig config,
    Map<String, Secret> passwordSecrets,
    Optional<Secret> userData,
    Instant now) {}
