package io.vxflow.gpu.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vxflow.gpu.image.ColorSpec.Matrix;
import org.junit.jupiter.api.Test;

/** {cy, yOff, crv, cgu, cgv, cbu} against the textbook (e.g. ITU-R BT.601 / BT.709, Jack's "Video Demystified") numbers. */
class ColorSpecTest {
    private static final org.assertj.core.data.Offset<Float> TEXTBOOK = within(1e-3f);

    @Test
    void bt601Limited() {
        // R = 1.164 (Y - 16) + 1.596 V'; G = 1.164 (Y - 16) - 0.392 U' - 0.813 V'; B = 1.164 (Y - 16) + 2.017 U'
        assertThat(ColorSpec.BT601_LIMITED.coefficients()).containsExactly(new float[] {1.164f, 16f, 1.596f, 0.392f, 0.813f, 2.017f}, TEXTBOOK);
    }

    @Test
    void bt709Limited() {
        // R = 1.164 (Y - 16) + 1.793 V'; G = ... - 0.213 U' - 0.533 V'; B = ... + 2.112 U'
        assertThat(ColorSpec.BT709_LIMITED.coefficients()).containsExactly(new float[] {1.164f, 16f, 1.793f, 0.213f, 0.533f, 2.112f}, TEXTBOOK);
    }

    @Test
    void bt601Full() {
        // JPEG/JFIF: R = Y + 1.402 V'; G = Y - 0.344136 U' - 0.714136 V'; B = Y + 1.772 U'
        assertThat(new ColorSpec(Matrix.BT601, true).coefficients())
                .containsExactly(new float[] {1f, 0f, 1.402f, 0.344136f, 0.714136f, 1.772f}, within(1e-5f));
    }

    @Test
    void bt709Full() {
        // R = Y + 1.5748 V'; G = Y - 0.1873 U' - 0.4681 V'; B = Y + 1.8556 U'
        assertThat(new ColorSpec(Matrix.BT709, true).coefficients())
                .containsExactly(new float[] {1f, 0f, 1.5748f, 0.1873f, 0.4681f, 1.8556f}, TEXTBOOK);
    }

    @Test
    void bt2020Full() {
        // R = Y + 1.4746 V'; G = Y - 0.16455 U' - 0.57135 V'; B = Y + 1.8814 U'
        assertThat(new ColorSpec(Matrix.BT2020, true).coefficients())
                .containsExactly(new float[] {1f, 0f, 1.4746f, 0.16455f, 0.57135f, 1.8814f}, TEXTBOOK);
    }

    @Test
    void limitedRangeMapsNominalWhiteAndBlackExactly() {
        float[] k = ColorSpec.BT709_LIMITED.coefficients();
        assertThat(k[0] * (235 - k[1])).isCloseTo(255f, within(1e-4f));
        assertThat(k[0] * (16 - k[1])).isZero();
        // a full-scale chroma excursion of 112 yields the full-range one of 127.5 times 2(1 - Kr)
        assertThat(k[2] * 112f).isCloseTo(127.5f * 2f * (1f - 0.2126f), within(1e-3f));
    }

    @Test
    void defaultIsBt709FromHdHeightsAndBt601Below() {
        assertThat(ColorSpec.defaultFor(720)).isEqualTo(ColorSpec.BT709_LIMITED);
        assertThat(ColorSpec.defaultFor(1080)).isEqualTo(ColorSpec.BT709_LIMITED);
        assertThat(ColorSpec.defaultFor(719)).isEqualTo(ColorSpec.BT601_LIMITED);
        assertThat(ColorSpec.defaultFor(480)).isEqualTo(new ColorSpec(Matrix.BT601, false));
    }
}
