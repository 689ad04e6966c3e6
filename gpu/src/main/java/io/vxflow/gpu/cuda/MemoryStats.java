package io.vxflow.gpu.cuda;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts every device and pinned-host allocation and every host copy that goes through vxflow's
 * own CUDA wrappers ({@link GpuContext}), so tests can assert that steady state allocates nothing
 * and copies nothing to the host but results. Thread-safe.
 */
public final class MemoryStats {
    final AtomicLong deviceAllocations = new AtomicLong();
    final AtomicLong deviceFrees = new AtomicLong();
    final AtomicLong deviceBytes = new AtomicLong();
    final AtomicLong pinnedAllocations = new AtomicLong();
    final AtomicLong deviceToHostCopies = new AtomicLong();
    final AtomicLong deviceToHostBytes = new AtomicLong();
    final AtomicLong hostToDeviceCopies = new AtomicLong();

    public long deviceAllocations() {
        return deviceAllocations.get();
    }

    public long deviceFrees() {
        return deviceFrees.get();
    }

    /** Bytes currently allocated through this context. */
    public long deviceBytes() {
        return deviceBytes.get();
    }

    public long pinnedAllocations() {
        return pinnedAllocations.get();
    }

    public long deviceToHostCopies() {
        return deviceToHostCopies.get();
    }

    public long deviceToHostBytes() {
        return deviceToHostBytes.get();
    }

    public long hostToDeviceCopies() {
        return hostToDeviceCopies.get();
    }

    @Override
    public String toString() {
        return "MemoryStats[device allocs " + deviceAllocations + " frees " + deviceFrees + " live bytes " + deviceBytes + ", pinned "
                + pinnedAllocations + ", D2H " + deviceToHostCopies + " (" + deviceToHostBytes + " B), H2D " + hostToDeviceCopies + "]";
    }
}
