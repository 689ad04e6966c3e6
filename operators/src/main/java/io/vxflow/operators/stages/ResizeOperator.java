package io.vxflow.operators.stages;

import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;

/**
 * Resize: fits the decoded frame into the model input (aspect kept, {@link LetterboxGeometry}),
 * converting YUV to RGB on the way. Releases the decoded frame right away unless crop or compose
 * will read it after inference.
 */
public final class ResizeOperator extends ChainStageOperator<FrameHandle> {
    private static final long serialVersionUID = 1L;

    public ResizeOperator(PipelineSpec spec) {
        super(spec, Stage.RESIZE);
    }

    @Override
    FrameHandle process(FrameHandle h) {
        var m = spec.model();
        LetterboxGeometry g = LetterboxGeometry.fit(h.width(), h.height(), m.inputWidth(), m.inputHeight());
        h.geometry(g);
        h.content(runtime.resize(h.frame(), g));
        if (!spec.keepsFrames()) {
            h.releaseFrame();
        }
        return h;
    }
}
