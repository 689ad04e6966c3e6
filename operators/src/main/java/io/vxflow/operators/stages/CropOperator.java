package io.vxflow.operators.stages;

import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;

/**
 * Crop: samples each detection's box from the full-resolution frame into a thumbnail (ROI
 * crop-resize), for a second model or for the results. A pass-through when cropping is off.
 */
public final class CropOperator extends ChainStageOperator<FrameHandle> {
    private static final long serialVersionUID = 1L;

    public CropOperator(PipelineSpec spec) {
        super(spec, Stage.CROP);
    }

    @Override
    FrameHandle process(FrameHandle h) {
        if (spec.cropsEnabled()) {
            runtime.crop(h.item(), h.frame());
        }
        return h;
    }
}
