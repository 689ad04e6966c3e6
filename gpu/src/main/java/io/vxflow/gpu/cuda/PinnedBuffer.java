package io.vxflow.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.cuMemFreeHost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Page-locked host memory from {@link GpuContext#allocatePinned}, the target of the results'
 * device-to-host copies. Closing frees it (idempotent).
 */
public final class PinnedBuffer implements AutoCloseable {
    private final GpuContext context;
    private final long size;
    private Pointer host;
    private final ByteBuffer view;

    PinnedBuffer(GpuContext context, Pointer host, long size) {
        this.context = context;
        this.host = host;
        this.size = size;
        this.view = new BytePointer(host).capacity(size).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    /** The host pointer, for copies. */
    public Pointer pointer() {
        if (host == null) {
            throw new IllegalStateException("pinned buffer is closed");
        }
        return host;
    }

    /** A native-order view of the whole buffer; absolute gets only. */
    public ByteBuffer view() {
        pointer();
        return view;
    }

    public long size() {
        return size;
    }

    @Override
    public void close() {
        if (host != null) {
            Pointer h = host;
            host = null;
            context.makeCurrent();
            Cuda.check(cuMemFreeHost(h), "cuMemFreeHost");
        }
    }
}
