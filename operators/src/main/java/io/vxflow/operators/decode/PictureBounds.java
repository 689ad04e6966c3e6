package io.vxflow.operators.decode;

import io.vxflow.codec.DecodeError;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.pipeline.PipelineSpec;
import java.io.Serializable;

/**
 * The pictures a slot's chain can take: at most the size its pools were made for, and a shape that
 * still covers at least one pixel of the model input each way once letterboxed. A 4096x2 picture,
 * which a valid SPS may declare, scales to no row at all of a 640x640 input, and the resize stage
 * would have nothing to write: refused here, it is bad input of its stream instead of a failure of
 * the task.
 */
record PictureBounds(int maxWidth, int maxHeight, int modelWidth, int modelHeight) implements Serializable {
    static PictureBounds of(PipelineSpec spec) {
        return new PictureBounds(spec.maxWidth(), spec.maxHeight(), spec.model().inputWidth(), spec.model().inputHeight());
    }

    /**
     * Why a {@code width} x {@code height} picture cannot go through the chain, or null.
     *
     * @param what names the picture in the detail, e.g. "the SPS claims 4096x2"
     */
    DecodeEvent.BadInput refusal(long width, long height, String what, String consequence) {
        if (width > maxWidth || height > maxHeight) {
            return new DecodeEvent.BadInput(DecodeError.TOO_LARGE, what + ", larger than the configured maximum " + maxWidth + "x" + maxHeight,
                    consequence);
        }
        LetterboxGeometry g = LetterboxGeometry.fit((int) width, (int) height, modelWidth, modelHeight);
        if (g.contentWidth() < 1 || g.contentHeight() < 1) {
            return new DecodeEvent.BadInput(DecodeError.UNSUPPORTED_FORMAT, what + ", a shape that fills " + g.contentWidth() + "x"
                    + g.contentHeight() + " pixels of the model's " + modelWidth + "x" + modelHeight + " input", consequence);
        }
        return null;
    }
}
