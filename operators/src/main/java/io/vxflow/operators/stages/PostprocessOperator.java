package io.vxflow.operators.stages;

import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;

/**
 * Postprocess: decodes the frame's model output (boxes with non-maximum suppression, mapped back to
 * source-frame pixels; or a classifier's top-k), keeping the result in the batch.
 */
public final class PostprocessOperator extends ChainStageOperator<FrameHandle> {
    private static final long serialVersionUID = 1L;

    public PostprocessOperator(PipelineSpec spec) {
        super(spec, Stage.POSTPROCESS);
    }

    @Override
    FrameHandle process(FrameHandle h) {
        runtime.postprocess(h.item(), h.geometry());
        return h;
    }
}
