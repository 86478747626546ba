package io.fastvm.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** First-boot configuration of a guest: hostname, users, packages, network, raw user-data. */
@Group(VirtualMachine.GROUP)
@Version(VirtualMachine.VERSION)
@Kind("CloudInitConfig")
@Plural("cloudinitconfigs")
@Singular("cloudinitconfig")
@ShortNames({"fci", "fcis"})
@AdditionalPrinterColumn(name = "Hostname", jsonPath = ".spec.hostname")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Secret", jsonPath = ".status.secretName", priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class CloudInitConfig extends CustomResource<CloudInitConfigSpec, CloudInitConfigStatus>
    implements Namespaced {

  public CloudInitConfig() {}

  public CloudInitConfig(String namespace, String name, CloudInitConfigSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }
}
