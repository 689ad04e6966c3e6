package io.vxflow.gpu.cpu;

import static io.vxflow.gpu.cpu.YuvPicture.red;
import static io.vxflow.gpu.cpu.YuvPicture.rgb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.geometry.Rect;
import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.ColorSpec.Matrix;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CpuResize against values worked out by hand from its documented convention. Most tests use full
 * range with neutral chroma (U = V = 128), where R = G = B = the interpolated luma exactly, so the
 * expected numbers are plain bilinear arithmetic.
 */
class CpuResizeTest {
    private static final ColorSpec FULL_601 = new ColorSpec(Matrix.BT601, true);
    private static final ColorSpec FULL_709 = new ColorSpec(Matrix.BT709, true);

    private final CpuResize resize = new CpuResize();

    static Stream<Function<YuvPicture, HostImage>> layouts() {
        return Stream.of(YuvPicture::i420, YuvPicture::nv12, YuvPicture::i420Ten, YuvPicture::p010);
    }

    static Stream<Arguments> flatColours() {
        // Y=100, U=150, V=80: uu = 22, vv = -48.
        // BT.601 limited: yy = 84 * 255/219 = 97.808; R = yy + 1.596027 * -48 = 21.199;
        //   G = yy - 0.391762 * 22 - 0.812968 * -48 = 128.212; B = yy + 2.017232 * 22 = 142.187
        // BT.709 limited: R = yy + 1.792741 * -48 = 11.757; G = yy - 0.213249 * 22 + 0.532909 * 48 = 118.696;
        //   B = yy + 2.112402 * 22 = 144.281
        // BT.601 full: R = 100 - 1.402 * 48 = 32.704; G = 100 - 0.344136 * 22 + 0.714136 * 48 = 126.708;
        //   B = 100 + 1.772 * 22 = 138.984
        // BT.709 full: R = 100 - 1.5748 * 48 = 24.410; G = 100 - 0.187324 * 22 + 0.468124 * 48 = 118.349;
        //   B = 100 + 1.8556 * 22 = 140.823
        // Saturated red, BT.601 limited (Y=81, U=90, V=240): yy = 65 * 255/219 = 75.685;
        //   R = yy + 1.596027 * 112 = 254.440; G = yy + 0.391762 * 38 - 0.812968 * 112 = -0.48 -> 0;
        //   B = yy - 2.017232 * 38 = -0.97 -> 0
        return Stream.of(
                Arguments.of(ColorSpec.BT601_LIMITED, 235, 128, 128, new int[] {255, 255, 255}),
                Arguments.of(ColorSpec.BT709_LIMITED, 235, 128, 128, new int[] {255, 255, 255}),
                Arguments.of(ColorSpec.BT601_LIMITED, 16, 128, 128, new int[] {0, 0, 0}),
                Arguments.of(ColorSpec.BT709_LIMITED, 16, 128, 128, new int[] {0, 0, 0}),
                // below black and above white clamp: yy = -6 * 1.164 = -7.0, 20 * 1.164 + 255 = 278.3
                Arguments.of(ColorSpec.BT601_LIMITED, 10, 128, 128, new int[] {0, 0, 0}),
                Arguments.of(ColorSpec.BT601_LIMITED, 255, 128, 128, new int[] {255, 255, 255}),
                Arguments.of(FULL_601, 0, 128, 128, new int[] {0, 0, 0}),
                Arguments.of(FULL_709, 255, 128, 128, new int[] {255, 255, 255}),
                Arguments.of(FULL_601, 37, 128, 128, new int[] {37, 37, 37}),
                Arguments.of(ColorSpec.BT601_LIMITED, 100, 150, 80, new int[] {21, 128, 142}),
                Arguments.of(ColorSpec.BT709_LIMITED, 100, 150, 80, new int[] {12, 119, 144}),
                Arguments.of(FULL_601, 100, 150, 80, new int[] {33, 127, 139}),
                Arguments.of(FULL_709, 100, 150, 80, new int[] {24, 118, 141}),
                Arguments.of(ColorSpec.BT601_LIMITED, 81, 90, 240, new int[] {254, 0, 0}));
    }

    static Stream<Arguments> flatColoursInEveryLayout() {
        return flatColours().flatMap(a -> layouts().map(l -> Arguments.of(a.get()[0], a.get()[1], a.get()[2], a.get()[3], a.get()[4], l)));
    }

    @ParameterizedTest
    @MethodSource("flatColoursInEveryLayout")
    void flatColourAtIdentitySize(ColorSpec color, int y, int u, int v, int[] expected, Function<YuvPicture, HostImage> layout) {
        HostImage src = layout.apply(YuvPicture.flat(4, 4, y, u, v));
        HostImage dst = HostImage.allocateRgb(4, 4);
        resize.run(src, color, dst);
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < 4; i++) {
                assertThat(rgb(dst, i, j)).as("pixel %d,%d of %s", i, j, src).containsExactly(expected);
            }
        }
    }

    @Test
    void identitySizeReproducesEveryLumaSampleDespiteRowPadding() {
        int[][] y = {{0, 1, 2, 3}, {50, 60, 70, 80}, {100, 110, 120, 130}, {252, 253, 254, 255}};
        HostImage dst = HostImage.allocateRgb(4, 4);
        resize.run(YuvPicture.grey(y).withRowPadding(3).i420(), FULL_601, dst);
        assertThat(red(dst)).isDeepEqualTo(y);
        assertThat(rgb(dst, 2, 1)).containsExactly(70, 70, 70);
    }

    @Test
    void halfSizeSamplesTheCentreOfEachTwoByTwoBlock() {
        // Y(x, y) = 20 + 10x + 40y on 8x4. Output (i, j) samples (2i + 0.5, 2j + 0.5): the mean of the
        // 2x2 block, e.g. (20 + 30 + 60 + 70) / 4 = 45.
        int[][] y = new int[4][8];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 8; c++) {
                y[r][c] = 20 + 10 * c + 40 * r;
            }
        }
        HostImage dst = HostImage.allocateRgb(4, 2);
        resize.run(YuvPicture.grey(y).i420(), FULL_601, dst);
        assertThat(red(dst)).isDeepEqualTo(new int[][] {{45, 65, 85, 105}, {125, 145, 165, 185}});
    }

    @Test
    void doubleSizeInterpolatesQuarterWaysAndClampsAtTheEdges() {
        // 4x2 -> 8x4. Columns sample sx = 0.5i - 0.25: -0.25 (clamped to column 0), 0.25, 0.75, 1.25, ...,
        // 3.25 (clamped to column 3). Row 0 = [10, 30, 50, 170]:
        //   10, 10 + 20/4 = 15, 10 + 20*3/4 = 25, 35, 45, 50 + 120/4 = 80, 50 + 120*3/4 = 140, 170.
        // Row 1 = row 0 + 40; rows sample sy = -0.25, 0.25, 0.75, 1.25: + 0, 10, 30, 40.
        int[][] y = {{10, 30, 50, 170}, {50, 70, 90, 210}};
        HostImage dst = HostImage.allocateRgb(8, 4);
        resize.run(YuvPicture.grey(y).i420(), FULL_601, dst);
        assertThat(red(dst)).isDeepEqualTo(new int[][] {
            {10, 15, 25, 35, 45, 80, 140, 170},
            {20, 25, 35, 45, 55, 90, 150, 180},
            {40, 45, 55, 65, 75, 110, 170, 200},
            {50, 55, 65, 75, 85, 120, 180, 210},
        });
    }

    @Test
    void roundsHalfUp() {
        // 2x2 -> 4x2 (rows unchanged). Row 0 [10, 12]: 10, 10.5 -> 11 (half up, not half-even 10),
        // 11.5 -> 12, 12. Row 1 [10, 11]: 10, 10.25 -> 10, 10.75 -> 11, 11.
        HostImage dst = HostImage.allocateRgb(4, 2);
        resize.run(YuvPicture.grey(new int[][] {{10, 12}, {10, 11}}).i420(), FULL_601, dst);
        assertThat(red(dst)).isDeepEqualTo(new int[][] {{10, 11, 12, 12}, {10, 10, 11, 11}});
    }

    @Test
    void tapsOutsideThePictureAreClampedToItsEdge() {
        HostImage src = YuvPicture.grey(new int[][] {{10, 30, 50, 170}, {10, 30, 50, 170}}).i420();
        HostImage dst = HostImage.allocateRgb(4, 2);
        // ROI x = 2..6 on a 4-wide picture at scale 1: columns 2, 3, 4 -> 3, 5 -> 3.
        resize.run(src, FULL_601, new Rect(2, 0, 4, 2), dst, 0, 0, 4, 2);
        assertThat(red(dst)[0]).containsExactly(50, 170, 170, 170);
        // ROI x = -2..2: columns -2 -> 0, -1 -> 0, 0, 1.
        resize.run(src, FULL_601, new Rect(-2, 0, 4, 2), dst, 0, 0, 4, 2);
        assertThat(red(dst)[1]).containsExactly(10, 10, 10, 30);
    }

    @Test
    void chromaIsCoSitedHorizontallyAndCentredVertically() {
        // 4x4, Y = 128, V = 128, U = [[128, 168], [128, 128]], BT.601 full range.
        // Columns: cx = x / 2 = 0, 0.5, 1, 1.5 (-> column 1, clamped): U row 0 = 128, 148, 168, 168.
        // Rows: cy = (y + 0.5) / 2 - 0.5 = -0.25 (-> row 0), 0.25, 0.75, 1.25 (-> row 1): the weight of
        // chroma row 0 is 1, 3/4, 1/4, 0. So U - 128 =
        //   y0: 0 20 40 40 | y1: 0 15 30 30 | y2: 0 5 10 10 | y3: 0 0 0 0.
        // B = 128 + 1.772 d: 20 -> 163.44, 40 -> 198.88, 15 -> 154.58, 30 -> 181.16, 5 -> 136.86, 10 -> 145.72.
        // G = 128 - 0.344136 d: 20 -> 121.12, 40 -> 114.23, 15 -> 122.84, 30 -> 117.68, 5 -> 126.28, 10 -> 124.56.
        YuvPicture p = new YuvPicture(YuvPicture.fill(4, 4, 128), new int[][] {{128, 168}, {128, 128}}, YuvPicture.fill(2, 2, 128));
        int[][] b = {{128, 163, 199, 199}, {128, 155, 181, 181}, {128, 137, 146, 146}, {128, 128, 128, 128}};
        int[][] g = {{128, 121, 114, 114}, {128, 123, 118, 118}, {128, 126, 125, 125}, {128, 128, 128, 128}};
        for (HostImage src : new HostImage[] {p.i420(), p.nv12(), p.i420Ten(), p.p010()}) {
            HostImage dst = HostImage.allocateRgb(4, 4);
            resize.run(src, FULL_601, dst);
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    assertThat(rgb(dst, x, y)).as("%s pixel %d,%d", src.format(), x, y).containsExactly(128, g[y][x], b[y][x]);
                }
            }
        }
    }

    @Test
    void oddWidthReadsTheLastChromaColumn() {
        // 5x3: chroma is 3x2. U = [128, 128, 168] on both rows; cx = x / 2 = 0, 0.5, 1, 1.5, 2:
        // U = 128, 128, 128, 148, 168 -> B = 128, 128, 128, 128 + 1.772 * 20 = 163.44, 128 + 1.772 * 40 = 198.88.
        YuvPicture p = new YuvPicture(YuvPicture.fill(5, 3, 128), new int[][] {{128, 128, 168}, {128, 128, 168}},
                YuvPicture.fill(3, 2, 128));
        HostImage dst = HostImage.allocateRgb(5, 3);
        resize.run(p.withRowPadding(1).nv12(), FULL_601, dst);
        for (int y = 0; y < 3; y++) {
            int row = y;
            int[] blue = java.util.stream.IntStream.range(0, 5).map(x -> rgb(dst, x, row)[2]).toArray();
            assertThat(blue).containsExactly(128, 128, 128, 163, 199);
        }
    }

    @Test
    void roiIsWrittenIntoItsRegionOnlyAtScaleOne() {
        // Y(x, y) = 10 + 10x + 50y on 4x4. ROI (1, 1) 2x2 into dst (3, 1) 2x2: Y(1,1) = 70, Y(2,1) = 80,
        // Y(1,2) = 120, Y(2,2) = 130. The other 20 pixels keep their 0x55.
        HostImage src = YuvPicture.grey(linear(4, 4)).i420();
        HostImage dst = YuvPicture.rgbFilled(6, 4, 0x55);
        resize.run(src, FULL_601, Rect.of(1, 1, 2, 2), dst, 3, 1, 2, 2);
        int[][] expected = {
            {0x55, 0x55, 0x55, 0x55, 0x55, 0x55},
            {0x55, 0x55, 0x55, 70, 80, 0x55},
            {0x55, 0x55, 0x55, 120, 130, 0x55},
            {0x55, 0x55, 0x55, 0x55, 0x55, 0x55},
        };
        assertAllChannels(dst, expected);
    }

    @Test
    void roiUpscaledIntoARegionSamplesAcrossTheRoiBorder() {
        // ROI (1, 1) 2x2 -> 4x4 at dst (1, 0) of 6x4. sx = 1 + (i + 0.5) / 2 - 0.5 = 0.75, 1.25, 1.75, 2.25
        // (0.75 reaches outside the ROI into column 0: the picture, not the ROI, bounds the taps); same
        // for sy. Y is linear, so Y = 10 + 10 sx + 50 sy: 10x-terms 7.5, 12.5, 17.5, 22.5; 50y-terms
        // 37.5, 62.5, 87.5, 112.5.
        HostImage src = YuvPicture.grey(linear(4, 4)).nv12();
        HostImage dst = YuvPicture.rgbFilled(6, 4, 0x55);
        resize.run(src, FULL_601, Rect.of(1, 1, 2, 2), dst, 1, 0, 4, 4);
        assertAllChannels(dst, new int[][] {
            {0x55, 55, 60, 65, 70, 0x55},
            {0x55, 80, 85, 90, 95, 0x55},
            {0x55, 105, 110, 115, 120, 0x55},
            {0x55, 130, 135, 140, 145, 0x55},
        });
    }

    @Test
    void everyLayoutOfOnePictureGivesTheSameOutput() {
        YuvPicture p = arbitraryPicture();
        ColorSpec color = ColorSpec.BT709_LIMITED;
        int[][] sizes = {{6, 4}, {3, 2}, {9, 7}, {1, 1}, {13, 3}};
        for (int[] s : sizes) {
            byte[] reference = render(p.i420(), color, s[0], s[1]);
            assertThat(render(p.nv12(), color, s[0], s[1])).as("NV12 %dx%d", s[0], s[1]).isEqualTo(reference);
            assertThat(render(p.withRowPadding(2).nv12(), color, s[0], s[1])).as("padded NV12").isEqualTo(reference);
            assertThat(render(p.i420Ten(), color, s[0], s[1])).as("I420_10 %dx%d", s[0], s[1]).isEqualTo(reference);
            assertThat(render(p.p010(), color, s[0], s[1])).as("P010 %dx%d", s[0], s[1]).isEqualTo(reference);
        }
        // and with an ROI
        HostImage a = YuvPicture.rgbFilled(5, 5, 0), b = YuvPicture.rgbFilled(5, 5, 0);
        resize.run(p.i420(), color, new Rect(1.5f, 0.5f, 3f, 2.5f), a, 1, 1, 4, 3);
        resize.run(p.p010(), color, new Rect(1.5f, 0.5f, 3f, 2.5f), b, 1, 1, 4, 3);
        assertThat(bytes(b)).isEqualTo(bytes(a));
    }

    @Test
    void tenBitSamplesKeepTheirFraction() {
        // I420_10 raw 514 = 128.5 on the 8-bit scale -> 129 (half up); 513 = 128.25 -> 128; 1023 -> 255.75 -> 255 (clamp).
        // P010 holds the same 10-bit value shifted left 6: 514 << 6 = 32896 -> 129.
        HostImage ten = YuvPicture.flat(2, 2, 0, 128, 128).i420Ten();
        YuvPicture.putLuma16(ten, 0, 0, 514);
        YuvPicture.putLuma16(ten, 1, 0, 513);
        YuvPicture.putLuma16(ten, 0, 1, 1023);
        YuvPicture.putLuma16(ten, 1, 1, 4);
        HostImage dst = HostImage.allocateRgb(2, 2);
        resize.run(ten, FULL_601, dst);
        assertThat(red(dst)).isDeepEqualTo(new int[][] {{129, 128}, {255, 1}});

        HostImage p010 = YuvPicture.flat(2, 2, 0, 128, 128).p010();
        YuvPicture.putLuma16(p010, 0, 0, 514 << 6);
        YuvPicture.putLuma16(p010, 1, 0, 513 << 6);
        YuvPicture.putLuma16(p010, 0, 1, 1023 << 6);
        YuvPicture.putLuma16(p010, 1, 1, 4 << 6);
        resize.run(p010, FULL_601, dst);
        assertThat(red(dst)).isDeepEqualTo(new int[][] {{129, 128}, {255, 1}});
    }

    @Test
    void reusingOneInstanceForSmallerOutputsKeepsItsTablesRight() {
        HostImage src = YuvPicture.grey(new int[][] {{10, 30, 50, 170}, {50, 70, 90, 210}}).i420();
        HostImage wide = HostImage.allocateRgb(8, 4);
        resize.run(src, FULL_601, wide);
        HostImage same = HostImage.allocateRgb(4, 2);
        resize.run(src, FULL_601, same);
        assertThat(red(same)).isDeepEqualTo(new int[][] {{10, 30, 50, 170}, {50, 70, 90, 210}});
    }

    @Test
    void rejectsBadArguments() {
        HostImage src = YuvPicture.flat(4, 4, 128, 128, 128).i420();
        assertThatThrownBy(() -> resize.run(src, FULL_601, src))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be RGB24");
        HostImage dst = HostImage.allocateRgb(4, 4);
        assertThatThrownBy(() -> resize.run(src, FULL_601, Rect.ofSize(4, 4), dst, 2, 0, 3, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("destination region 3x4+2+0 is outside 4x4");
        assertThatThrownBy(() -> resize.run(src, FULL_601, Rect.ofSize(4, 4), dst, 0, 0, 0, 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> resize.run(dst, FULL_601, HostImage.allocateRgb(2, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a YUV 4:2:0 image");
    }

    // --- helpers

    /** Y(x, y) = 10 + 10x + 50y. */
    private static int[][] linear(int w, int h) {
        int[][] y = new int[h][w];
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                y[r][c] = 10 + 10 * c + 50 * r;
            }
        }
        return y;
    }

    /** A 6x4 picture with unrelated values in every plane, none of them special. */
    private static YuvPicture arbitraryPicture() {
        int[][] y = new int[4][6];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 6; c++) {
                y[r][c] = (37 * c + 71 * r + 13 * c * r + 16) % 240;
            }
        }
        int[][] u = {{40, 200, 128}, {90, 17, 240}};
        int[][] v = {{220, 60, 128}, {5, 180, 100}};
        return new YuvPicture(y, u, v);
    }

    private byte[] render(HostImage src, ColorSpec color, int w, int h) {
        HostImage dst = HostImage.allocateRgb(w, h);
        resize.run(src, color, dst);
        return bytes(dst);
    }

    private static byte[] bytes(HostImage rgb) {
        ByteBuffer b = rgb.plane(0);
        byte[] a = new byte[b.capacity()];
        b.get(0, a);
        return a;
    }

    private static void assertAllChannels(HostImage dst, int[][] grey) {
        for (int y = 0; y < grey.length; y++) {
            for (int x = 0; x < grey[0].length; x++) {
                int g = grey[y][x];
                assertThat(rgb(dst, x, y)).as("pixel %d,%d", x, y).containsExactly(g, g, g);
            }
        }
        assertThat(dst.format()).isEqualTo(PixelFormat.RGB24);
    }
}
