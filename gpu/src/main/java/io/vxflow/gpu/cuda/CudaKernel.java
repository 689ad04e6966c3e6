package io.vxflow.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;

import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One kernel of a {@link KernelModule}, launched without allocating: arguments are written in order
 * into a native block made once ({@code ptr}, {@code i32}, {@code f32}), then {@link #launch}
 * enqueues the kernel on a context's stream and resets the block. One thread uses a kernel at a
 * time (the slot's).
 */
public final class CudaKernel {
    private static final int MAX_ARGS = 40;
    private final String name;
    private final CUfunc_st function;
    private final BytePointer block = new BytePointer(8L * MAX_ARGS);
    private final PointerPointer<BytePointer> params = new PointerPointer<>(MAX_ARGS);
    private int count;

    CudaKernel(String name, CUfunc_st function) {
        this.name = name;
        this.function = function;
        for (int i = 0; i < MAX_ARGS; i++) {
            params.put(i, new BytePointer(block).position(8L * i));
        }
    }

    public String name() {
        return name;
    }

    /** A device address (or any 64-bit value). */
    public CudaKernel ptr(long value) {
        block.putLong(slot(), value);
        return this;
    }

    public CudaKernel i32(int value) {
        block.putInt(slot(), value);
        return this;
    }

    public CudaKernel f32(float value) {
        block.putFloat(slot(), value);
        return this;
    }

    private long slot() {
        if (count == MAX_ARGS) {
            throw new IllegalStateException("kernel " + name + " takes at most " + MAX_ARGS + " arguments");
        }
        return 8L * count++;
    }

    /** Enqueues the kernel with the arguments given since the last launch. */
    public void launch(GpuContext ctx, int gridX, int gridY, int gridZ, int blockX, int blockY, int sharedBytes) {
        int n = count;
        count = 0;
        Cuda.check(cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY, 1, sharedBytes, ctx.stream(), params,
                (PointerPointer<?>) null), "cuLaunchKernel(" + name + ", " + n + " args)");
    }

    /** Blocks of {@code block} threads covering {@code n}. */
    public static int blocks(int n, int block) {
        return (n + block - 1) / block;
    }
}
