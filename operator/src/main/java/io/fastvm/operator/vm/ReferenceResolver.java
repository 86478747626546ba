package io.fastvm.operator.vm;

import io.fastvm.api.v1alpha1.CloudInitConfig;
import io.fastvm.api.v1alpha1.CloudInitPhase;
import io.fastvm.api.v1alpha1.Disk;
import io.fastvm.api.v1alpha1.KernelBoot;
import io.fastvm.api.v1alpha1.VirtualMachineSpec;
import io.fastvm.api.v1alpha1.Volume;
import io.fastvm.api.v1alpha1.VolumePhase;
import io.fastvm.api.v1alpha1.VolumeStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves a VM's Volume and CloudInitConfig references against the objects that exist. A Volume is
 * usable once its status says Ready and names its PVC; a CloudInitConfig once its status says Ready
 * and names its Secret (the reconcilers of those kinds fill that status).
 */
public final class ReferenceResolver {
  private ReferenceResolver() {}

  /** Names of all Volumes the spec refers to, in order of first mention. */
  public static Set<String> referencedVolumes(VirtualMachineSpec spec) {
    Set<String> names = new LinkedHashSet<>();
    if (spec == null) {
      return names;
    }
    for (Disk disk : spec.disksOrEmpty()) {
      if (disk.volume() != null) {
        names.add(disk.volume());
      }
    }
    KernelBoot kernelBoot = spec.kernelBoot();
    if (kernelBoot != null) {
      if (kernelBoot.kernel() != null) {
        names.add(kernelBoot.kernel());
      }
      if (kernelBoot.initrd() != null) {
        names.add(kernelBoot.initrd());
      }
    }
    return names;
  }

  public static ResolvedReferences resolve(
      VirtualMachineSpec spec,
      Map<String, Volume> volumesByName,
      Optional<CloudInitConfig> cloudInitConfig) {
    Map<String, VolumeUse> uses = new LinkedHashMap<>();
    List<ReferenceProblem> volumeProblems = new ArrayList<>();
    for (String name : referencedVolumes(spec)) {
      Volume volume = volumesByName.get(name);
      if (volume == null) {
        volumeProblems.add(
            new ReferenceProblem("Volume", name, "VolumeNotFound", "does not exist"));
        continue;
      }
      VolumeStatus status = volume.getStatus();
      if (status == null || status.phase() != VolumePhase.READY) {
        String phase = status == null || status.phase() == null ? "no phase" : phaseName(status);
        volumeProblems.add(
            new ReferenceProblem("Volume", name, "VolumeNotReady", "is not Ready (" + phase + ")"));
        continue;
      }
      if (blank(status.claimName())) {
        volumeProblems.add(
            new ReferenceProblem(
                "Volume", name, "VolumeNotReady", "is Ready but its status names no claim"));
        continue;
      }
      boolean readOnly = readOnly(spec, name);
      if (!readOnly && cloneBase(status)) {
        volumeProblems.add(
            new ReferenceProblem(
                "Volume",
                name,
                "VolumeIsCloneBase",
                "backs overlay clones, so it is read-only: attach it as a CD-ROM or readOnly disk,"
                    + " or use a clone"));
        continue;
      }
      uses.put(name, new VolumeUse(name, status.claimName(), imagePath(status), readOnly));
    }
    // An overlay clone's image is backed by its source's: the VM pod mounts that read-only too.
    for (VolumeUse use : List.copyOf(uses.values())) {
      String backing = volumesByName.get(use.volume()).getStatus().backingVolume();
      if (blank(backing) || uses.containsKey(backing)) {
        if (!blank(backing) && !uses.get(backing).readOnly()) {
          volumeProblems.add(
              new ReferenceProblem(
                  "Volume",
                  backing,
                  "VolumeIsCloneBase",
                  "backs the overlay clone " + use.volume() + ", so it cannot be written"));
        }
        continue;
      }
      Volume base = volumesByName.get(backing);
      VolumeStatus baseStatus = base == null ? null : base.getStatus();
      if (baseStatus == null
          || baseStatus.phase() != VolumePhase.READY
          || blank(baseStatus.claimName())) {
        volumeProblems.add(
            new ReferenceProblem(
                "Volume",
                backing,
                base == null ? "VolumeNotFound" : "VolumeNotReady",
                "(the base of overlay clone " + use.volume() + ") is not there or not Ready"));
        continue;
      }
      uses.put(
          backing, new VolumeUse(backing, baseStatus.claimName(), imagePath(baseStatus), true));
    }

    List<ReferenceProblem> cloudInitProblems = new ArrayList<>();
    Optional<String> secret = Optional.empty();
    if (spec.cloudInit() != null) {
      String name = spec.cloudInit().name();
      if (cloudInitConfig.isEmpty()) {
        cloudInitProblems.add(
            new ReferenceProblem(
                "CloudInitConfig", name, "CloudInitConfigNotFound", "does not exist"));
      } else {
        var status = cloudInitConfig.get().getStatus();
        if (status == null
            || status.phase() != CloudInitPhase.READY
            || blank(status.secretName())
            || blank(status.seedHash())) {
          String phase =
              status == null || status.phase() == null
                  ? "no phase"
                  : status.phase().name().charAt(0)
                      + status.phase().name().substring(1).toLowerCase();
          cloudInitProblems.add(
              new ReferenceProblem(
                  "CloudInitConfig",
                  name,
                  "CloudInitConfigNotReady",
                  "is not Ready (" + phase + ")"));
        } else {
          secret = Optional.of(status.secretName());
        }
      }
    }
    return new ResolvedReferences(
        uses, secret, Optional.empty(), volumeProblems, cloudInitProblems);
  }

  /** A Volume is mounted read-only when nothing writes to it: CD-ROMs, read-only disks, kernels. */
  private static boolean readOnly(VirtualMachineSpec spec, String volume) {
    for (Disk disk : spec.disksOrEmpty()) {
      if (volume.equals(disk.volume()) && !disk.isReadOnlyDisk()) {
        return false;
      }
    }
    return true;
  }

  /** Overlay clones are backed by it (the Volume reconciler says so in its conditions). */
  private static boolean cloneBase(VolumeStatus status) {
    return status.conditions() != null
        && status.conditions().stream()
            .anyMatch(c -> "CloneBase".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String imagePath(VolumeStatus status) {
    return blank(status.imagePath()) ? VolumeStatus.DEFAULT_IMAGE_PATH : status.imagePath();
  }

  /** Overlay clones among the Volumes the VM uses, with the Volume whose image backs each. */
  public static Map<String, String> backings(Map<String, Volume> volumes) {
    Map<String, String> backings = new LinkedHashMap<>();
    volumes.forEach(
        (name, volume) -> {
          if (volume.getStatus() != null && !blank(volume.getStatus().backingVolume())) {
            backings.put(name, volume.getStatus().backingVolume());
          }
        });
    return backings;
  }

  private static String phaseName(VolumeStatus status) {
    String name = status.phase().name();
    return name.charAt(0) + name.substring(1).toLowerCase();
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
