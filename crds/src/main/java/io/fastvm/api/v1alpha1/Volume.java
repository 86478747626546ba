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

/** A disk image in a PVC: blank, downloaded, cloned or restored from a Snapshot. */
@Group(VirtualMachine.GROUP)
@Version(VirtualMachine.VERSION)
@Kind("Volume")
@Plural("volumes")
@Singular("volume")
@ShortNames({"fvol", "fvols"})
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Size", jsonPath = ".spec.size")
@AdditionalPrinterColumn(name = "Format", jsonPath = ".spec.format")
@AdditionalPrinterColumn(name = "Progress", jsonPath = ".status.progress")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Claim", jsonPath = ".status.claimName", priority = 1)
public class Volume extends CustomResource<VolumeSpec, VolumeStatus> implements Namespaced {

  public Volume() {}

  public Volume(String namespace, String name, VolumeSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }
}
