package io.vxflow.gpu.pipeline;

import io.vxflow.gpu.cpu.CpuSlotRuntime;

/** Opens the {@link SlotRuntime} of a spec's backend. */
public final class SlotRuntimes {
    private SlotRuntimes() {}

    /**
     * @param gpuIndex the GPU this slot runs on (ignored by the CPU backend)
     */
    public static SlotRuntime open(PipelineSpec spec, int gpuIndex) {
        switch (spec.backend().resolve()) {
            case CPU:
                return new CpuSlotRuntime(spec);
            case GPU:
                return new io.vxflow.gpu.cuda.GpuSlotRuntime(spec, gpuIndex);
            default:
                throw new IllegalArgumentException(String.valueOf(spec.backend()));
        }
    }
}
