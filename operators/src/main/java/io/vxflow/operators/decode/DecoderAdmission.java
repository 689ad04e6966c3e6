package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.gpu.decode.ParameterSetScan;
import io.vxflow.gpu.decode.SequenceParameterSet;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.route.KeyframeScreen;

/**
 * Decode's check of a stream's first keyframe, for the stream router: a keyframe passes when decode's
 * task thread would open a decoder at it (its size within the {@link DecodeLimits}, its SPS readable
 * and within the pictures the slots take), and then weighs the picture size its SPS declares.
 */
public final class DecoderAdmission implements KeyframeScreen {
    private static final long serialVersionUID = 1L;
    private final PictureBounds bounds;
    private final DecodeLimits limits;

    public DecoderAdmission(PipelineSpec spec, DecodeLimits limits) {
        this.bounds = PictureBounds.of(spec);
        this.limits = limits;
    }

    @Override
    public long pixels(AccessUnit keyframe) {
        if (!keyframe.keyframe() || limits.refusal(keyframe, bounds, true) != null) {
            return 0;
        }
        SequenceParameterSet sps = ParameterSetScan.of(keyframe.codec(), keyframe.data()).largest();
        return Math.max(1, sps.width() * sps.height());
    }
}
