package io.vxflow.gpu.testmodel;

import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.synthetic.SyntheticScene;

/**
 * Test-side preprocessing reference: renders a {@link SyntheticScene} frame, resizes it
 * bilinearly (half-pixel centres, edge clamp, as OpenCV's {@code INTER_LINEAR}) into the content
 * area of a {@link LetterboxGeometry}, fills the rest with grey 114 and writes RGB planar float32
 * values {@code pixel / 255}. Public for the GPU tests in other packages, which feed the same frames.
 *
 * <p>At the 1920x1080 -> 640x360 scale of exactly 1/3 the bilinear source position
 * {@code 3 x + 1} is an integer, so this samples source pixels without blending; that is what
 * bilinear does at this scale, not a shortcut. Owns a source frame buffer; not thread-safe.
 */
public final class LetterboxedScene {
    static final int PAD_GREY = 114;
    private final LetterboxGeometry geometry;
    private final byte[] rgb = new byte[SyntheticScene.WIDTH * SyntheticScene.HEIGHT * 3];

    public LetterboxedScene(LetterboxGeometry geometry) {
        this.geometry = geometry;
    }

    public LetterboxGeometry geometry() {
        return geometry;
    }

    /** Floats per image: {@code 3 * dstWidth * dstHeight}. */
    public int imageFloats() {
        return 3 * geometry.dstWidth() * geometry.dstHeight();
    }

    /** Writes frame {@code frameIndex} as a planar image at {@code out[offset]}. */
    public void write(long frameIndex, float[] out, int offset) {
        SyntheticScene.renderRgb(frameIndex, rgb);
        int w = geometry.dstWidth();
        int plane = w * geometry.dstHeight();
        for (int y = 0; y < geometry.dstHeight(); y++) {
            for (int x = 0; x < w; x++) {
                int p = offset + y * w + x;
                for (int c = 0; c < 3; c++) {
                    out[p + c * plane] = sample(x - geometry.padX(), y - geometry.padY(), c) / 255f;
                }
            }
        }
    }

    /** Channel {@code c} at content pixel (cx, cy), or the pad grey outside the content. */
    private float sample(int cx, int cy, int c) {
        if (cx < 0 || cy < 0 || cx >= geometry.contentWidth() || cy >= geometry.contentHeight()) {
            return PAD_GREY;
        }
        double sx = srcCoord(cx, geometry.srcWidth(), geometry.contentWidth());
        double sy = srcCoord(cy, geometry.srcHeight(), geometry.contentHeight());
        int x0 = (int) Math.floor(sx);
        int y0 = (int) Math.floor(sy);
        float fx = (float) (sx - x0);
        float fy = (float) (sy - y0);
        int x1 = Math.min(x0 + 1, geometry.srcWidth() - 1);
        int y1 = Math.min(y0 + 1, geometry.srcHeight() - 1);
        float top = lerp(pixel(x0, y0, c), pixel(x1, y0, c), fx);
        float bottom = lerp(pixel(x0, y1, c), pixel(x1, y1, c), fx);
        return lerp(top, bottom, fy);
    }

    private static double srcCoord(int dst, int srcSize, int dstSize) {
        double s = (dst + 0.5) * srcSize / dstSize - 0.5;
        return Math.max(0, Math.min(srcSize - 1, s));
    }

    private float pixel(int x, int y, int c) {
        return rgb[(y * SyntheticScene.WIDTH + x) * 3 + c] & 0xff;
    }

    private static float lerp(float a, float b, float t) {
        return a + (b - a) * t;
    }
}
