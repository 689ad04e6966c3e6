package io.vxflow.gpu.geometry;

/** An axis-aligned rectangle in pixels: origin (x, y), size w by h. Fractional values are allowed. */
public record Rect(float x, float y, float w, float h) {
    public static Rect of(int x, int y, int w, int h) {
        return new Rect(x, y, w, h);
    }

    public static Rect ofSize(int w, int h) {
        return new Rect(0, 0, w, h);
    }
}
