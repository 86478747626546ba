package io.fastvm.console.bridge;

/** Looks at (and in view-only mode trims) what a browser sends to a VM, chunk by chunk. */
public interface ClientStreamFilter {
  FilterResult filter(byte[] data);
}
