package io.vxflow.gpu.cpu;

import static io.vxflow.gpu.cpu.YuvPicture.red;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.ColorSpec.Matrix;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.postprocess.Detection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Thumbnails of an 8x4 grey frame Y(x, y) = 20 + 10x + 40y (full range, so R = G = B = Y). */
class CpuCropResizeTest {
    private static final ColorSpec FULL = new ColorSpec(Matrix.BT601, true);

    private static HostImage frame() {
        int[][] y = new int[4][8];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 8; c++) {
                y[r][c] = 20 + 10 * c + 40 * r;
            }
        }
        return YuvPicture.grey(y).i420();
    }

    private static Detection box(float x1, float y1, float x2, float y2) {
        return new Detection(0, 0.9f, x1, y1, x2, y2);
    }

    @Test
    void eachBoxBecomesOneThumbnailStackedVertically() {
        HostImage crops = HostImage.allocateRgb(2, 6);
        int n = new CpuCropResize(2, 3).run(frame(), FULL, List.of(
                // 2x2 at (2, 1), scale 1: Y(2,1) = 80, Y(3,1) = 90, Y(2,2) = 120, Y(3,2) = 130
                box(2, 1, 4, 3),
                // empty box at (5, 2): stretched to 1x1, sampled at sx = 4.75, 5.25 and sy = 1.75, 2.25:
                // 20 + 47.5 + 70 = 137.5 -> 138, 142.5 -> 143; 157.5 -> 158, 162.5 -> 163
                box(5, 2, 5, 2),
                // the whole frame into 2x2: sx = 1.5, 5.5; sy = 0.5, 2.5: 55, 95; 135, 175
                box(0, 0, 8, 4)), crops);
        assertThat(n).isEqualTo(3);
        assertThat(red(crops)).isDeepEqualTo(new int[][] {{80, 90}, {120, 130}, {138, 143}, {158, 163}, {55, 95}, {135, 175}});
    }

    @Test
    void smallBoxesAreUpscaled() {
        // box (1, 0)-(3, 2) into 4x4: sx = 0.75, 1.25, 1.75, 2.25 -> 10x = 7.5, 12.5, 17.5, 22.5;
        // sy = -0.25 (clamped to row 0), 0.25, 0.75, 1.25 -> 40y = 0, 10, 30, 50. Halves round up.
        HostImage crops = HostImage.allocateRgb(4, 4);
        new CpuCropResize(4, 1).run(frame(), FULL, List.of(box(1, 0, 3, 2)), crops);
        assertThat(red(crops)).isDeepEqualTo(new int[][] {
            {28, 33, 38, 43},
            {38, 43, 48, 53},
            {58, 63, 68, 73},
            {78, 83, 88, 93},
        });
    }

    @Test
    void writesAtMostMaxCropsThumbnails() {
        HostImage crops = YuvPicture.rgbFilled(2, 2, 0x55);
        int n = new CpuCropResize(2, 1).run(frame(), FULL, List.of(box(2, 1, 4, 3), box(0, 0, 2, 2)), crops);
        assertThat(n).isEqualTo(1);
        assertThat(red(crops)).isDeepEqualTo(new int[][] {{80, 90}, {120, 130}});
        assertThat(new CpuCropResize(2, 1).run(frame(), FULL, List.of(), crops)).isZero();
    }

    @Test
    void rejectsAWronglySizedStripAndBadLimits() {
        CpuCropResize crop = new CpuCropResize(2, 3);
        assertThat(crop.size()).isEqualTo(2);
        assertThat(crop.maxCrops()).isEqualTo(3);
        assertThatThrownBy(() -> crop.run(frame(), FULL, List.of(box(0, 0, 1, 1)), HostImage.allocateRgb(2, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("crop image must be 2x6");
        assertThatThrownBy(() -> crop.run(frame(), FULL, List.of(box(0, 0, 1, 1)), HostImage.allocateRgb(3, 6)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CpuCropResize(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CpuCropResize(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
