package io.fastvm.node.guest;

import java.nio.file.Path;

/** A built guest: the kernel, the initramfs and the command line to boot them with. */
public record GuestImage(Path kernel, Path initrd, String cmdline, String kernelVersion) {}
