package io.vxflow.operators.slot;

import io.vxflow.gpu.pipeline.SlotRuntime;

/** One operator's hold on its slot's {@link SlotRuntime}; closing it is idempotent. */
public final class SlotLease implements AutoCloseable {
    private final String key;
    private final SlotRuntime runtime;
    private final int gpu;
    private boolean closed;

    SlotLease(String key, SlotRuntime runtime, int gpu) {
        this.key = key;
        this.runtime = runtime;
        this.gpu = gpu;
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

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            SlotRuntimeRegistry.release(key);
        }
    }
}
