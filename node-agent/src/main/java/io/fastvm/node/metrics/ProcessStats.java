package io.fastvm.node.metrics;

/**
 * What the kernel says of a process: its CPU time (all threads) and resident memory.
 *
 * @param userSeconds CPU time in user mode
 * @param systemSeconds CPU time in the kernel
 * @param residentBytes resident set size
 */
public record ProcessStats(double userSeconds, double systemSeconds, long residentBytes) {}
