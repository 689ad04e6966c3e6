package io.vxflow.operators.stages;

import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;

/** Pad: letterboxes the resized content into a canvas of the model's input size. */
public final class PadOperator extends ChainStageOperator<FrameHandle> {
    private static final long serialVersionUID = 1L;

    public PadOperator(PipelineSpec spec) {
        super(spec, Stage.PAD);
    }

    @Override
    FrameHandle process(FrameHandle h) {
        h.canvas(runtime.pad(h.content(), h.geometry()));
        h.content(null);
        return h;
    }
}
