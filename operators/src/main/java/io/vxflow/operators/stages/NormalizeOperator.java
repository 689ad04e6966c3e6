package io.vxflow.operators.stages;

import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;

/**
 * Normalize: writes the canvas, normalized and planar, straight into the next item of the batch
 * being filled (no intermediate tensor).
 */
public final class NormalizeOperator extends ChainStageOperator<FrameHandle> {
    private static final long serialVersionUID = 1L;

    public NormalizeOperator(PipelineSpec spec) {
        super(spec, Stage.NORMALIZE);
    }

    @Override
    FrameHandle process(FrameHandle h) {
        h.item(runtime.normalize(h.canvas(), h.geometry()));
        h.canvas(null);
        return h;
    }
}
