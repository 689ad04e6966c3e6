package io.vxflow.gpu.pipeline;

import java.util.Locale;

/**
 * Where the chain runs. {@link #GPU} decodes with NVDEC and runs CUDA kernels and TensorRT on one
 * stream per slot; {@link #CPU} is the reference: FFmpeg software decode, plain Java kernels, ONNX
 * Runtime. {@link #AUTO} is resolved on each TaskManager when its slots open: GPU where a CUDA device
 * is usable, else CPU.
 */
public enum Backend {
    AUTO,
    CPU,
    GPU;

    /** Parses {@code auto}, {@code gpu} or {@code cpu}. */
    public static Backend parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown backend '" + name + "' (use auto, gpu or cpu)");
        }
    }

    /** This backend, with {@link #AUTO} decided by {@link GpuProbe} for this process. */
    public Backend resolve() {
        return this != AUTO ? this : GpuProbe.available() ? GPU : CPU;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
