package io.vxflow.gpu.backend;

import io.vxflow.gpu.backend.cpu.CpuSlotRuntime;
import io.vxflow.gpu.backend.cuda.GpuSlotRuntime;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;

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
                return new GpuSlotRuntime(spec, gpuIndex);
            default:
                throw new IllegalArgumentException(String.valueOf(spec.backend()));
        }
    }
}
