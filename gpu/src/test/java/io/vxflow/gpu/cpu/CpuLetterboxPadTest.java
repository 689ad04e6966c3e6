package io.vxflow.gpu.cpu;

import static io.vxflow.gpu.cpu.YuvPicture.rgb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.HostImage;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class CpuLetterboxPadTest {

    /** An 8x4 RGB24 image whose pixel (x, y) is (x, y, 100 + 10y + x): every pixel tells where it came from. */
    private static HostImage content() {
        HostImage img = HostImage.allocateRgb(8, 4);
        ByteBuffer b = img.plane(0);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                int o = y * img.stride(0) + 3 * x;
                b.put(o, (byte) x).put(o + 1, (byte) y).put(o + 2, (byte) (100 + 10 * y + x));
            }
        }
        return img;
    }

    @Test
    void wideContentIsCentredVerticallyWithTheOddRowAtTheBottom() {
        // 4x2 -> 6x6: scale min(6/4, 6/2) = 1.5, content 6x3, padX 0, padY (6 - 3) / 2 = 1: one pad row on
        // top, rows 1..3 are content rows 0..2 (columns 0..5 of the 8-wide buffer), two pad rows below.
        LetterboxGeometry g = LetterboxGeometry.fit(4, 2, 6, 6);
        assertThat(g.contentWidth()).isEqualTo(6);
        assertThat(g.contentHeight()).isEqualTo(3);
        HostImage canvas = YuvPicture.rgbFilled(6, 6, 0x55);
        new CpuLetterboxPad(114).run(content(), g, canvas);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                int[] expected = y >= 1 && y <= 3 ? new int[] {x, y - 1, 100 + 10 * (y - 1) + x} : new int[] {114, 114, 114};
                assertThat(rgb(canvas, x, y)).as("pixel %d,%d", x, y).containsExactly(expected);
            }
        }
    }

    @Test
    void tallContentIsCentredHorizontallyWithTheOddColumnOnTheRight() {
        // 2x4 -> 6x6: scale min(3, 1.5) = 1.5, content 3x6, padX (6 - 3) / 2 = 1: column 0 pad, 1..3 content
        // columns 0..2, 4..5 pad.
        LetterboxGeometry g = LetterboxGeometry.fit(2, 4, 6, 6);
        assertThat(g.padX()).isEqualTo(1);
        HostImage src = HostImage.allocateRgb(3, 6);
        ByteBuffer b = src.plane(0);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) (i + 1));
        }
        HostImage canvas = YuvPicture.rgbFilled(6, 6, 0x55);
        new CpuLetterboxPad(0).run(src, g, canvas);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                int base = y * 9 + (x - 1) * 3 + 1;
                int[] expected = x >= 1 && x <= 3 ? new int[] {base, base + 1, base + 2} : new int[] {0, 0, 0};
                assertThat(rgb(canvas, x, y)).as("pixel %d,%d", x, y).containsExactly(expected);
            }
        }
    }

    @Test
    void sameAspectFillsTheWholeCanvas() {
        LetterboxGeometry g = LetterboxGeometry.fit(16, 8, 8, 4);
        HostImage canvas = YuvPicture.rgbFilled(8, 4, 0x55);
        new CpuLetterboxPad(114).run(content(), g, canvas);
        assertThat(rgb(canvas, 0, 0)).containsExactly(0, 0, 100);
        assertThat(rgb(canvas, 7, 3)).containsExactly(7, 3, 137);
    }

    @Test
    void rejectsBadPadValuesAndMismatchedImages() {
        assertThatThrownBy(() -> new CpuLetterboxPad(256)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pad value must be 0..255: 256");
        assertThatThrownBy(() -> new CpuLetterboxPad(-1)).isInstanceOf(IllegalArgumentException.class);
        LetterboxGeometry g = LetterboxGeometry.fit(4, 2, 6, 6);
        CpuLetterboxPad pad = new CpuLetterboxPad(114);
        assertThatThrownBy(() -> pad.run(content(), g, HostImage.allocateRgb(6, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("images do not match");
        assertThatThrownBy(() -> pad.run(HostImage.allocateRgb(5, 3), g, HostImage.allocateRgb(6, 6)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("images do not match");
        assertThatThrownBy(() -> pad.run(YuvPicture.flat(6, 6, 1, 1, 1).i420(), g, HostImage.allocateRgb(6, 6)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("letterbox pad works on RGB24 images");
    }
}
