package io.vxflow.gpu.geometry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LetterboxGeometryTest {

    @Test
    void fullHdIntoSquare() {
        // scale min(640/1920, 640/1080) = 1/3; content 640 x 360; pad (640 - 360) / 2 = 140 top and bottom
        LetterboxGeometry g = LetterboxGeometry.fit(1920, 1080, 640, 640);
        assertThat(g.scale()).isCloseTo(1.0 / 3.0, within(1e-12));
        assertThat(new int[] {g.contentWidth(), g.contentHeight(), g.padX(), g.padY()}).containsExactly(640, 360, 0, 140);
        assertThat(new int[] {g.srcWidth(), g.srcHeight(), g.dstWidth(), g.dstHeight()}).containsExactly(1920, 1080, 640, 640);
    }

    @Test
    void hdIntoSquare() {
        // scale 0.5; 640 x 360; pad 140
        LetterboxGeometry g = LetterboxGeometry.fit(1280, 720, 640, 640);
        assertThat(g.scale()).isEqualTo(0.5);
        assertThat(new int[] {g.contentWidth(), g.contentHeight(), g.padX(), g.padY()}).containsExactly(640, 360, 0, 140);
    }

    @Test
    void portraitIntoSquare() {
        // scale 1/3; 360 x 640; pad 140 left and right
        LetterboxGeometry g = LetterboxGeometry.fit(1080, 1920, 640, 640);
        assertThat(new int[] {g.contentWidth(), g.contentHeight(), g.padX(), g.padY()}).containsExactly(360, 640, 140, 0);
    }

    @Test
    void oddSizesRoundTheContentAndGiveTheOddPadPixelToTheBottomOrRight() {
        // 1000x561: scale 0.64, height 561 * 0.64 = 359.04 -> 359; pad 281 = 140 top + 141 bottom
        LetterboxGeometry a = LetterboxGeometry.fit(1000, 561, 640, 640);
        assertThat(a.scale()).isCloseTo(0.64, within(1e-12));
        assertThat(new int[] {a.contentWidth(), a.contentHeight(), a.padX(), a.padY()}).containsExactly(640, 359, 0, 140);
        assertThat(a.dstHeight() - a.padY() - a.contentHeight()).isEqualTo(141);
        // 641x480: scale 640/641, height 480 * 640/641 = 479.25 -> 479; pad 161 = 80 + 81
        LetterboxGeometry b = LetterboxGeometry.fit(641, 480, 640, 640);
        assertThat(new int[] {b.contentWidth(), b.contentHeight(), b.padX(), b.padY()}).containsExactly(640, 479, 0, 80);
        // 480x1001 into 640x384: scale min(4/3, 0.383616) = 384/1001, width 480 * 384/1001 = 184.14 -> 184;
        // pad 456 = 228 + 228
        LetterboxGeometry c = LetterboxGeometry.fit(480, 1001, 640, 384);
        assertThat(new int[] {c.contentWidth(), c.contentHeight(), c.padX(), c.padY()}).containsExactly(184, 384, 228, 0);
        // 3x1 into 4x4: scale 4/3, height 1.33 -> 1, pad 3 = 1 + 2
        LetterboxGeometry d = LetterboxGeometry.fit(3, 1, 4, 4);
        assertThat(new int[] {d.contentWidth(), d.contentHeight(), d.padX(), d.padY()}).containsExactly(4, 1, 0, 1);
    }

    @Test
    void smallSourcesAreScaledUp() {
        // 320x240: scale min(2, 2.667) = 2: 640 x 480, pad 80
        LetterboxGeometry g = LetterboxGeometry.fit(320, 240, 640, 640);
        assertThat(g.scale()).isEqualTo(2.0);
        assertThat(new int[] {g.contentWidth(), g.contentHeight(), g.padX(), g.padY()}).containsExactly(640, 480, 0, 80);
    }

    @Test
    void mapsModelCoordinatesBackToTheSource() {
        LetterboxGeometry g = LetterboxGeometry.fit(1920, 1080, 640, 640);
        // x: (mx - 0) * 1920 / 640 = 3 mx; y: (my - 140) * 1080 / 360 = 3 (my - 140)
        assertThat(g.toSourceX(320)).isEqualTo(960f);
        assertThat(g.toSourceX(0)).isEqualTo(0f);
        assertThat(g.toSourceX(640)).isEqualTo(1920f);
        assertThat(g.toSourceY(140)).isEqualTo(0f);
        assertThat(g.toSourceY(320)).isEqualTo(540f);
        assertThat(g.toSourceY(500)).isEqualTo(1080f);
        assertThat(g.toSourceX(100.5f)).isCloseTo(301.5f, within(1e-4f));

        LetterboxGeometry p = LetterboxGeometry.fit(1080, 1920, 640, 640);
        assertThat(p.toSourceX(140)).isEqualTo(0f);
        assertThat(p.toSourceX(320)).isEqualTo(540f);
        assertThat(p.toSourceY(640)).isEqualTo(1920f);
    }

    @Test
    void clampsPointsInThePaddingToTheFrame() {
        LetterboxGeometry g = LetterboxGeometry.fit(1920, 1080, 640, 640);
        assertThat(g.toSourceY(0)).isEqualTo(0f); // 3 * -140 = -420
        assertThat(g.toSourceY(139)).isEqualTo(0f);
        assertThat(g.toSourceY(640)).isEqualTo(1080f); // 3 * 500 = 1500
        assertThat(g.toSourceX(-10)).isEqualTo(0f);
        assertThat(g.toSourceX(700)).isEqualTo(1920f);
        LetterboxGeometry p = LetterboxGeometry.fit(1080, 1920, 640, 640);
        assertThat(p.toSourceX(10)).isEqualTo(0f);
        assertThat(p.toSourceX(630)).isEqualTo(1080f); // 3 * 490 = 1470
    }

    @Test
    void rejectsNonPositiveSizes() {
        assertThatThrownBy(() -> LetterboxGeometry.fit(0, 1080, 640, 640))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("sizes must be positive: 0x1080 -> 640x640");
        assertThatThrownBy(() -> LetterboxGeometry.fit(1920, 1080, 640, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
