package io.vxflow.gpu.bench;

import static org.bytedeco.cuda.global.cudart.*;

import io.vxflow.gpu.cuda.Cuda;
import io.vxflow.gpu.cuda.GpuContext;
import org.bytedeco.cuda.cudart.CUevent_st;

/** GPU time between two points of a stream, with CUDA events. Owns two events. */
final class CudaTimer implements AutoCloseable {
    private final GpuContext ctx;
    private final CUevent_st start = new CUevent_st();
    private final CUevent_st stop = new CUevent_st();

    CudaTimer(GpuContext ctx) {
        this.ctx = ctx;
        ctx.makeCurrent();
        Cuda.check(cuEventCreate(start, CU_EVENT_DEFAULT), "cuEventCreate");
        Cuda.check(cuEventCreate(stop, CU_EVENT_DEFAULT), "cuEventCreate");
    }

    void start() {
        Cuda.check(cuEventRecord(start, ctx.stream()), "cuEventRecord");
    }

    /** Milliseconds of GPU time since {@link #start()}; waits for the stream. */
    float stopMillis() {
        Cuda.check(cuEventRecord(stop, ctx.stream()), "cuEventRecord");
        Cuda.check(cuEventSynchronize(stop), "cuEventSynchronize");
        float[] ms = new float[1];
        Cuda.check(cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime");
        return ms[0];
    }

    @Override
    public void close() {
        ctx.makeCurrent();
        cuEventDestroy(start);
        cuEventDestroy(stop);
    }
}
