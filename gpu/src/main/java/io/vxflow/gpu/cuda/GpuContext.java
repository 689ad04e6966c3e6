package io.vxflow.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.Pointer;

/**
 * One task slot's hold on a GPU: the device's primary CUDA context (shared with FFmpeg's NVDEC and
 * TensorRT in the same process), one non-blocking CUDA stream that every stage of the slot's chain
 * enqueues on, and every buffer the slot allocates. Closing frees the buffers (last allocated first),
 * destroys the stream and releases the context; it is idempotent.
 *
 * <p>Allocation and host copies go through here so that {@link #stats()} sees all of them. One task
 * thread drives a slot; its decode workers may also enqueue on the stream (CUDA streams take work from
 * any thread) and allocate (the software-decode fallback's upload pool), so the buffer lists are
 * guarded.
 */
public final class GpuContext implements AutoCloseable {
    private final GpuDevice device;
    private final CUctx_st context = new CUctx_st();
    private final CUstream_st stream = new CUstream_st();
    private final CUevent_st readEvent = new CUevent_st();
    private final MemoryStats stats = new MemoryStats();
    private final Deque<DeviceBuffer> buffers = new ArrayDeque<>();
    private final List<PinnedBuffer> pinned = new ArrayList<>();
    private volatile boolean closed;

    private GpuContext(GpuDevice device) {
        this.device = device;
        // Host waits block instead of spinning (a slot thread waiting for its stream leaves the core to
        // others), and FFmpeg's CUDA device insists on this flag for a primary context it shares.
        int[] flags = new int[1], active = new int[1];
        Cuda.check(cuDevicePrimaryCtxGetState(device.handle(), flags, active), "cuDevicePrimaryCtxGetState");
        if (active[0] == 0 && flags[0] != CU_CTX_SCHED_BLOCKING_SYNC) {
            Cuda.check(cuDevicePrimaryCtxSetFlags(device.handle(), CU_CTX_SCHED_BLOCKING_SYNC), "cuDevicePrimaryCtxSetFlags");
        }
        Cuda.check(cuDevicePrimaryCtxRetain(context, device.handle()), "cuDevicePrimaryCtxRetain");
        try {
            makeCurrent();
            Cuda.check(cuStreamCreate(stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
            Cuda.check(cuEventCreate(readEvent, CU_EVENT_BLOCKING_SYNC | CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(device.handle());
            throw e;
        }
    }

    /** Retains GPU {@code index}'s primary context and creates the slot's stream. */
    public static GpuContext open(int index) {
        return new GpuContext(Cuda.device(index));
    }

    public GpuDevice device() {
        return device;
    }

    /** Binds the context to the calling thread (cheap when it already is). */
    public void makeCurrent() {
        Cuda.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    public CUctx_st context() {
        return context;
    }

    public CUstream_st stream() {
        ensureOpen();
        return stream;
    }

    /** The stream's CUstream handle as a number (for FFmpeg's and TensorRT's APIs). */
    public long streamHandle() {
        return stream().address();
    }

    public MemoryStats stats() {
        return stats;
    }

    /** Allocates device memory; call it in {@code open()}, never per frame. */
    public synchronized DeviceBuffer allocate(long bytes, String label) {
        ensureOpen();
        makeCurrent();
        long[] ptr = new long[1];
        Cuda.check(cuMemAlloc(ptr, Math.max(1, bytes)), "cuMemAlloc(" + label + ", " + bytes + " bytes)");
        stats.deviceAllocations.incrementAndGet();
        stats.deviceBytes.addAndGet(bytes);
        DeviceBuffer b = new DeviceBuffer(this, label, ptr[0], bytes);
        buffers.push(b);
        return b;
    }

    synchronized void freed(DeviceBuffer b) {
        stats.deviceFrees.incrementAndGet();
        stats.deviceBytes.addAndGet(-b.size());
        buffers.remove(b);
    }

    /** Allocates page-locked host memory for result copies. */
    public synchronized PinnedBuffer allocatePinned(long bytes) {
        ensureOpen();
        makeCurrent();
        Pointer host = new Pointer();
        Cuda.check(cuMemAllocHost(host, Math.max(1, bytes)), "cuMemAllocHost(" + bytes + " bytes)");
        stats.pinnedAllocations.incrementAndGet();
        PinnedBuffer p = new PinnedBuffer(this, host, bytes);
        pinned.add(p);
        return p;
    }

    /** Enqueues a device-to-host copy on the slot's stream; counted in {@link #stats()}. */
    public void copyToHostAsync(PinnedBuffer dst, long dstOffset, long srcDevice, long bytes) {
        Cuda.check(cuMemcpyDtoHAsync(offset(dst.pointer(), dstOffset), srcDevice, bytes, stream()), "cuMemcpyDtoHAsync");
        stats.deviceToHostCopies.incrementAndGet();
        stats.deviceToHostBytes.addAndGet(bytes);
    }

    private static Pointer offset(Pointer base, long offset) {
        return offset == 0 ? base : new org.bytedeco.javacpp.BytePointer(base).position(offset);
    }

    /** Enqueues a host-to-device copy on the slot's stream; counted in {@link #stats()}. */
    public void copyToDeviceAsync(long dstDevice, Pointer src, long bytes) {
        Cuda.check(cuMemcpyHtoDAsync(dstDevice, src, bytes, stream()), "cuMemcpyHtoDAsync");
        stats.hostToDeviceCopies.incrementAndGet();
    }

    /**
     * Copies host memory to the device and waits for it: for set-up, benchmarks and tests, never per
     * frame. Counted in {@link #stats()} like {@link #copyToDeviceAsync}.
     */
    public void copyToDevice(long dstDevice, Pointer src, long bytes) {
        makeCurrent();
        copyToDeviceAsync(dstDevice, src, bytes);
        synchronize();
    }

    /**
     * Enqueues a device-to-device copy on the slot's stream. Not counted: it never crosses PCIe (the
     * stats count host copies and allocations).
     */
    public void copyOnDeviceAsync(long dstDevice, long srcDevice, long bytes) {
        Cuda.check(cuMemcpyDtoDAsync(dstDevice, srcDevice, bytes, stream()), "cuMemcpyDtoDAsync");
    }

    /** Fills device memory with a byte value, on the stream. */
    public void fillAsync(long dstDevice, byte value, long bytes) {
        Cuda.check(cuMemsetD8Async(dstDevice, value, bytes, stream()), "cuMemsetD8Async");
    }

    /**
     * Waits for the work the calling thread has enqueued on the slot's stream so far (an event
     * recorded now), not for work other threads enqueue meanwhile. The task thread's one wait per
     * batch.
     */
    public void awaitStream() {
        Cuda.check(cuEventRecord(readEvent, stream()), "cuEventRecord");
        Cuda.check(cuEventSynchronize(readEvent), "cuEventSynchronize");
    }

    /** Waits for everything enqueued on the slot's stream. */
    public void synchronize() {
        Cuda.check(cuStreamSynchronize(stream()), "cuStreamSynchronize");
    }

    /** Free and total device memory, as the driver reports it now. */
    public long[] memoryInfo() {
        makeCurrent();
        try (org.bytedeco.javacpp.SizeTPointer free = new org.bytedeco.javacpp.SizeTPointer(1);
                org.bytedeco.javacpp.SizeTPointer total = new org.bytedeco.javacpp.SizeTPointer(1)) {
            Cuda.check(cuMemGetInfo(free, total), "cuMemGetInfo");
            return new long[] {free.get(), total.get()};
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("GPU context of device " + device.index() + " is closed");
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // every step runs whatever the ones before did (after a sticky CUDA error each free fails): the
        // context reference is released in any case, so a broken context is not kept alive for the next task
        List<AutoCloseable> steps = new ArrayList<>();
        steps.add(() -> {
            makeCurrent();
            cuStreamSynchronize(stream);
        });
        steps.addAll(buffers); // last allocated first
        steps.addAll(pinned);
        RuntimeException failure = CloseAll.closeAll(steps);
        pinned.clear();
        cuEventDestroy(readEvent);
        cuStreamDestroy(stream);
        cuDevicePrimaryCtxRelease(device.handle());
        if (failure != null) {
            throw failure;
        }
    }
}
