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

/** A point-in-time state of a VM's (or one Volume's) qcow2 disks. */
@Group(VirtualMachine.GROUP)
@Version(VirtualMachine.VERSION)
@Kind("Snapshot")
@Plural("snapshots")
@Singular("snapshot")
@ShortNames({"fsnap", "fsnaps"})
@AdditionalPrinterColumn(name = "Source", jsonPath = ".spec.source.name")
@AdditionalPrinterColumn(name = "Kind", jsonPath = ".spec.source.kind", priority = 1)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class Snapshot extends CustomResource<SnapshotSpec, SnapshotStatus> implements Namespaced {

  /**
   * Setting this annotation to a new value restores the snapshot into its source disks; the VM must
   * be stopped.
   */
  public static final String RESTORE_ANNOTATION = "fastvm.io/restoreRequestedAt";

  public Snapshot() {}

  public Snapshot(String namespace, String name, SnapshotSpec spec) {
    getMetadata().setNamespace(namespace);
    getMetadata().setName(name);
    setSpec(spec);
  }
}
