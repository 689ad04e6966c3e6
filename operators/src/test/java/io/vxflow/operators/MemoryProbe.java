package io.vxflow.operators;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this JVM holds, measured so that growth can be bounded: the Java heap in use right after full
 * collections (live objects only: what state retains, not garbage waiting for the collector), and
 * native memory as the resident set minus the committed heap (FFmpeg's and ONNX Runtime's
 * allocations, direct buffers, thread stacks, metaspace, code: everything outside the Java heap).
 * The resident set comes from {@code /proc/self/status} (Linux).
 *
 * @param heapUsed bytes of the heap in use after collection
 * @param heapCommitted bytes of the heap the JVM has committed
 * @param rss resident set size in bytes
 */
public record MemoryProbe(long heapUsed, long heapCommitted, long rss) {

    /** Collects fully (a few times, so that finalization and reference processing settle), then measures. */
    public static MemoryProbe sample() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new MemoryProbe(heap.getUsed(), heap.getCommitted(), residentBytes());
    }

    /** Resident memory outside the Java heap. */
    public long nativeBytes() {
        return rss - heapCommitted;
    }

    /** Growth since {@code before}: live heap plus native memory (a shrink of either counts as none). */
    public long growthSince(MemoryProbe before) {
        return Math.max(0, heapUsed - before.heapUsed) + Math.max(0, nativeBytes() - before.nativeBytes());
    }

    @Override
    public String toString() {
        return String.format("heap %,d MB live of %,d MB committed, RSS %,d MB (%,d MB outside the heap)", heapUsed >> 20,
                heapCommitted >> 20, rss >> 20, nativeBytes() >> 20);
    }

    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot read VmRSS from /proc/self/status", e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
