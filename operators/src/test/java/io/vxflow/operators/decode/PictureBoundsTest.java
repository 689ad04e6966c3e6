package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.DecodeError;
import org.junit.jupiter.api.Test;

/** A slot takes pictures up to its pools' size whose letterbox still covers a pixel each way of the model input. */
class PictureBoundsTest {
    private final PictureBounds bounds = new PictureBounds(4096, 2304, 640, 640);

    @Test
    void aPictureLargerThanThePoolsIsTooLargeEitherWay() {
        assertThat(bounds.refusal(4097, 16, "w", "c").reason()).isEqualTo(DecodeError.TOO_LARGE);
        DecodeEvent.BadInput tall = bounds.refusal(16, 2305, "the SPS claims 16x2305", "skipped");
        assertThat(tall.reason()).isEqualTo(DecodeError.TOO_LARGE);
        assertThat(tall.detail()).isEqualTo("the SPS claims 16x2305, larger than the configured maximum 4096x2304");
    }

    @Test
    void aShapeThatLetterboxesToNoRowOrColumnIsUnsupported() {
        // 4096x2 scales by 640/4096 to 640x0.3125: no row at all
        DecodeEvent.BadInput flat = bounds.refusal(4096, 2, "4096x2", "skipped");
        assertThat(flat.reason()).isEqualTo(DecodeError.UNSUPPORTED_FORMAT);
        assertThat(flat.detail()).isEqualTo("4096x2, a shape that fills 640x0 pixels of the model's 640x640 input");
        assertThat(bounds.refusal(1, 2304, "1x2304", "skipped").reason()).isEqualTo(DecodeError.UNSUPPORTED_FORMAT);
    }

    @Test
    void theThinnestShapesThatStillCoverAPixelPass() {
        // 4096x4 scales to 640x0.625, rounded to one row; 1x1 scales up to the whole input
        assertThat(bounds.refusal(4096, 4, "4096x4", "skipped")).isNull();
        assertThat(bounds.refusal(4, 2304, "4x2304", "skipped")).isNull();
        assertThat(bounds.refusal(1, 1, "1x1", "skipped")).isNull();
        assertThat(bounds.refusal(4096, 2304, "4096x2304", "skipped")).isNull();
    }
}
