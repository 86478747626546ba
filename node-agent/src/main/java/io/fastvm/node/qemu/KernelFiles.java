package io.fastvm.node.qemu;

import java.nio.file.Path;

/** Direct kernel boot: kernel and initrd files (initrd and cmdline may be null). */
public record KernelFiles(Path kernel, Path initrd, String cmdline) {}
