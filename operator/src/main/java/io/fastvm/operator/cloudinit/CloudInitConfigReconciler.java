package io.fastvm.operator.cloudinit;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.operator.events.EventPosting;
import io.fastvm.operator.events.EventRecorder;
import io.fastvm.operator.secret.SecretUpsert;
import io.fastvm.operator.status.PlannedEvent;
import io.fastvm.operator.status.StatusWrite;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reconciles a CloudInitConfig: observes the Secrets its passwords come from and its own Secret,
 * lets {@link CloudInitPlanner} render and validate, writes the Secret (a plain create or merge
 * patch, never apply: a namesake of someone else's is refused), merge-patches the status (guarded
 * by the observed resourceVersion) and posts the events. Passwords never leave as plain text: not
 * in the Secret it writes, the status, events or logs.
 */
@ControllerConfiguration(name = CloudInitConfigReconciler.NAME)
public class CloudInitConfigReconciler implements Reconciler<CloudInitConfig>, EventPosting {
  public static final String NAME = "cloudinitconfig";

  private final Clock clock;
  private volatile CloudInitEventSources sources;
  private volatile EventRecorder events;

  public CloudInitConfigReconciler() {
    this(Clock.systemUTC());
  }

  public CloudInitConfigReconciler(Clock clock) {
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, CloudInitConfig>> prepareEventSources(
      EventSourceContext<CloudInitConfig> context) {
    sources = CloudInitEventSources.create(context);
    events = new EventRecorder(context.getClient(), "fastvm-operator", clock);
    return sources.all();
  }

  @Override
  public UpdateControl<CloudInitConfig> reconcile(
      CloudInitConfig config, Context<CloudInitConfig> context) {
    CloudInitPlan plan = CloudInitPlanner.plan(observe(config));
    KubernetesClient client = context.getClient();
    plan.write().ifPresent(secret -> SecretUpsert.upsert(client, secret, sources.secrets()));
    StatusWrite.write(client, config, plan.status());
    for (PlannedEvent event : plan.events()) {
      events.record(config, event.warning(), event.reason(), event.message());
    }
    return UpdateControl.noUpdate();
  }

  private CloudInitObserved observe(CloudInitConfig config) {
    String namespace = config.getMetadata().getNamespace();
    Map<String, Secret> passwords = new LinkedHashMap<>();
    for (String name : CloudInitEventSources.passwordSecrets(config.getSpec())) {
      sources.secrets().get(new ResourceID(name, namespace)).ifPresent(s -> passwords.put(name, s));
    }
    Optional<Secret> own =
        sources.secrets().get(new ResourceID(CloudInitNames.userDataSecret(config), namespace));
    return new CloudInitObserved(config, passwords, own, clock.instant());
  }

  @Override
  public EventRecorder eventRecorder() {
    return events;
  }
}
