package io.vxflow.gpu.pipeline;

import java.util.Locale;

/**
 * Where the chain runs. {@link #GPU} decodes with NVDEC and runs CUDA kernels and TensorRT on one
 * stream per slot; {@link #CPU} is the reference: FFmpeg software decode, plain Java kernels, ONNX
 * Runtime. {@code auto} picks GPU where a CUDA device is usable.
 */
public enum Backend {
    CPU,
    GPU;

    /** Parses {@code auto}, {@code gpu} or {@code cpu}; {@code auto} asks {@link GpuProbe}. */
    public static Backend parse(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "cpu":
                return CPU;
            case "gpu":
                return GPU;
            case "auto":
                return GpuProbe.available() ? GPU : CPU;
            default:
                throw new IllegalArgumentException("unknown backend '" + name + "' (use auto, gpu or cpu)");
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
