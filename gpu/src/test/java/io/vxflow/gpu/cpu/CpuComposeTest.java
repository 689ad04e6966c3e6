package io.vxflow.gpu.cpu;

import static io.vxflow.gpu.cpu.YuvPicture.rgb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.ColorSpec.Matrix;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.postprocess.Detection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Outlines drawn on a flat grey frame (full-range Y = 100, so every frame pixel is 100, 100, 100). The
 * expected pictures are drawn as text: '.' frame, '-' untouched canvas, a letter a box colour.
 */
class CpuComposeTest {
    private static final ColorSpec FULL = new ColorSpec(Matrix.BT601, true);
    private static final int[] GREY = {100, 100, 100};
    private static final int[] UNTOUCHED = {0x11, 0x11, 0x11};
    // BoxPalette: class 0 = FF3838, 1 = 2CFF4B, 2 = 3864FF, 3 = FFB21D, 4 = CF38FF, 15 = 520085
    private static final Map<Character, int[]> COLOURS = Map.of(
            '.', GREY, '-', UNTOUCHED,
            'a', new int[] {0xFF, 0x38, 0x38}, 'b', new int[] {0x2C, 0xFF, 0x4B}, 'c', new int[] {0x38, 0x64, 0xFF},
            'd', new int[] {0xFF, 0xB2, 0x1D}, 'e', new int[] {0xCF, 0x38, 0xFF}, 'p', new int[] {0x52, 0x00, 0x85});

    private static HostImage frame() {
        return YuvPicture.flat(8, 8, 100, 128, 128).i420();
    }

    private static Detection det(int cls, float x1, float y1, float x2, float y2) {
        return new Detection(cls, 0.5f, x1, y1, x2, y2);
    }

    @Test
    void oneThickOutlineSitsInsideTheBox() {
        // box (1, 1)-(6, 5) at scale 1 covers pixels x 1..5, y 1..4
        HostImage canvas = YuvPicture.rgbFilled(8, 8, 0x11);
        new CpuCompose(1).run(frame(), FULL, List.of(det(1, 1, 1, 6, 5)), canvas, 0, 0, 8, 8);
        assertPicture(canvas,
                "........",
                ".bbbbb..",
                ".b...b..",
                ".b...b..",
                ".bbbbb..",
                "........",
                "........",
                "........");
    }

    @Test
    void thicknessGrowsInwards() {
        HostImage canvas = YuvPicture.rgbFilled(8, 8, 0x11);
        new CpuCompose(2).run(frame(), FULL, List.of(det(0, 0, 0, 8, 8)), canvas, 0, 0, 8, 8);
        assertPicture(canvas,
                "aaaaaaaa",
                "aaaaaaaa",
                "aa....aa",
                "aa....aa",
                "aa....aa",
                "aa....aa",
                "aaaaaaaa",
                "aaaaaaaa");
    }

    @Test
    void boxesLeavingTheFrameAreClippedToIt() {
        // (-3, 5)-(20, 20) clips to x 0..7, y 5..7; the outline is drawn inside the clipped rectangle.
        // (2.6, 0.2)-(4.9, 2.99): floor -> x 2..3, y 0..1, all edge.
        HostImage canvas = YuvPicture.rgbFilled(8, 8, 0x11);
        new CpuCompose(1).run(frame(), FULL, List.of(det(2, -3, 5, 20, 20), det(1, 2.6f, 0.2f, 4.9f, 2.99f)), canvas, 0, 0, 8, 8);
        assertPicture(canvas,
                "..bb....",
                "..bb....",
                "........",
                "........",
                "........",
                "cccccccc",
                "c......c",
                "cccccccc");
    }

    @Test
    void aMosaicTileIsScaledAndNothingLeaksOutOfIt() {
        // 8x8 frame into the 4x4 tile at (4, 2) of a 12x6 canvas: scale 0.5.
        // (2, 2)-(6, 6) -> x floor(4 + 1) = 5 .. floor(4 + 3) - 1 = 6, y 3..4.
        // (6, 0)-(20, 3) -> x 7 .. min(8, 14) - 1 = 7, y 2 .. min(6, floor(3.5)) - 1 = 2: one pixel.
        // (-10, -10)-(-5, -5) -> entirely left of and above the tile: nothing.
        HostImage canvas = YuvPicture.rgbFilled(12, 6, 0x11);
        new CpuCompose(1).run(frame(), FULL, List.of(det(3, 2, 2, 6, 6), det(4, 6, 0, 20, 3), det(0, -10, -10, -5, -5)),
                canvas, 4, 2, 4, 4);
        assertPicture(canvas,
                "------------",
                "------------",
                "----...e----",
                "----.dd.----",
                "----.dd.----",
                "----....----");
    }

    @Test
    void classIdsWrapAroundThePalette() {
        // 17 mod 16 = 1; floorMod(-1, 16) = 15
        HostImage canvas = YuvPicture.rgbFilled(4, 2, 0x11);
        new CpuCompose(1).drawBoxes(canvas, 0, 0, 4, 2, 1f, 1f, List.of(det(17, 0, 0, 2, 2), det(-1, 2, 0, 4, 2)));
        assertPicture(canvas, "bbpp", "bbpp");
    }

    @Test
    void rejectsBadThicknessAndNonRgbCanvas() {
        assertThatThrownBy(() -> new CpuCompose(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CpuCompose(1).drawBoxes(frame(), 0, 0, 8, 8, 1, 1, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("compose draws on RGB24, got I420");
    }

    private static void assertPicture(HostImage canvas, String... rows) {
        assertThat(canvas.height()).isEqualTo(rows.length);
        for (int y = 0; y < rows.length; y++) {
            assertThat(rows[y]).hasSize(canvas.width());
            for (int x = 0; x < rows[y].length(); x++) {
                assertThat(rgb(canvas, x, y)).as("pixel %d,%d", x, y).containsExactly(COLOURS.get(rows[y].charAt(x)));
            }
        }
    }
}
