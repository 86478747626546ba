package io.fastvm.contract;

/**
 * The extended resources a VM pod requests instead of privileges, and the host device each one
 * grants: the node agent's device plugin advertises them, the operator's pods request one of each
 * they need, and the kubelet then puts the device into the container at the same path.
 */
public enum DeviceResource {
  KVM("devices.fastvm.io/kvm", "/dev/kvm"),
  TUN("devices.fastvm.io/tun", "/dev/net/tun"),
  VHOST_NET("devices.fastvm.io/vhost-net", "/dev/vhost-net");

  private final String resourceName;
  private final String devicePath;

  DeviceResource(String resourceName, String devicePath) {
    this.resourceName = resourceName;
    this.devicePath = devicePath;
  }

  /** The resource name in a pod's requests and limits, e.g. {@code devices.fastvm.io/kvm}. */
  public String resourceName() {
    return resourceName;
  }

  /** The device on the host and in the container, e.g. {@code /dev/kvm}. */
  public String devicePath() {
    return devicePath;
  }

  /** The last part of the resource name ({@code kvm}), for socket and metric names. */
  public String shortName() {
    return resourceName.substring(resourceName.indexOf('/') + 1);
  }
}
