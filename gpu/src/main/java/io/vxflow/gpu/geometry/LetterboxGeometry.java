package io.vxflow.gpu.geometry;

/**
 * How a source frame was fitted into a model input: scaled by {@link #scale()} (aspect kept), the
 * scaled content placed at ({@link #padX()}, {@link #padY()}) and the rest filled with the pad colour.
 * Travels with each frame so boxes found in model space map back to source-frame pixels.
 *
 * <p>The scaled content size is {@code round(srcWidth * scale)} by {@code round(srcHeight * scale)};
 * padding is split evenly, the odd pixel going right and bottom.
 */
public record LetterboxGeometry(
        int srcWidth, int srcHeight, int dstWidth, int dstHeight, double scale, int contentWidth, int contentHeight, int padX, int padY) {

    public static LetterboxGeometry fit(int srcWidth, int srcHeight, int dstWidth, int dstHeight) {
        if (srcWidth <= 0 || srcHeight <= 0 || dstWidth <= 0 || dstHeight <= 0) {
            throw new IllegalArgumentException(
                    "sizes must be positive: " + srcWidth + "x" + srcHeight + " -> " + dstWidth + "x" + dstHeight);
        }
        double scale = Math.min((double) dstWidth / srcWidth, (double) dstHeight / srcHeight);
        int cw = Math.min(dstWidth, (int) Math.round(srcWidth * scale));
        int ch = Math.min(dstHeight, (int) Math.round(srcHeight * scale));
        return new LetterboxGeometry(srcWidth, srcHeight, dstWidth, dstHeight, scale, cw, ch, (dstWidth - cw) / 2, (dstHeight - ch) / 2);
    }

    /** Maps an x coordinate in model-input pixels to source pixels, clamped to the frame. */
    public float toSourceX(float modelX) {
        float x = (float) ((modelX - padX) * srcWidth / (double) contentWidth);
        return Math.max(0f, Math.min(srcWidth, x));
    }

    /** Maps a y coordinate in model-input pixels to source pixels, clamped to the frame. */
    public float toSourceY(float modelY) {
        float y = (float) ((modelY - padY) * srcHeight / (double) contentHeight);
        return Math.max(0f, Math.min(srcHeight, y));
    }
}
