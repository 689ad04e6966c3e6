package io.vxflow.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.cuMemFree;

/**
 * A block of device memory from {@link GpuContext#allocate}. Closing frees it (idempotent); using a
 * closed buffer's address throws at once.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final GpuContext context;
    private final String label;
    private final long size;
    private long address;

    DeviceBuffer(GpuContext context, String label, long address, long size) {
        this.context = context;
        this.label = label;
        this.address = address;
        this.size = size;
    }

    public long address() {
        if (address == 0) {
            throw new IllegalStateException("device buffer '" + label + "' is closed");
        }
        return address;
    }

    public long size() {
        return size;
    }

    public String label() {
        return label;
    }

    @Override
    public void close() {
        if (address != 0) {
            long a = address;
            // forgotten first: after a sticky CUDA error the free fails, and the buffer must not be freed again
            address = 0;
            context.freed(this);
            context.makeCurrent();
            Cuda.check(cuMemFree(a), "cuMemFree(" + label + ")");
        }
    }
}
