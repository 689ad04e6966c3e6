package io.vxflow.operators.slot;

import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.operators.metrics.SlotStreamMetrics;

/** One operator's hold on its slot's {@link SlotRuntime}; closing it is idempotent. */
public final class SlotLease implements AutoCloseable {
    private final String key;
    private final SlotRuntime runtime;
    private final int gpu;
    private final SlotStreamMetrics streamMetrics;
    private boolean closed;

    SlotLease(String key, SlotRuntime runtime, int gpu, SlotStreamMetrics streamMetrics) {
        this.key = key;
        this.runtime = runtime;
        this.gpu = gpu;
        this.streamMetrics = streamMetrics;
    }

    public SlotRuntime runtime() {
        if (closed) {
            throw new IllegalStateException("slot lease " + key + " is closed");
        }
        return runtime;
    }

    /** The GPU index, or -1 on the CPU backend. */
    public int gpu() {
        return gpu;
    }

    /** The per-stream metrics the slot's operators share. */
    public SlotStreamMetrics streamMetrics() {
        return streamMetrics;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            SlotRuntimeRegistry.release(key);
        }
    }
}
