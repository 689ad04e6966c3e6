package io.vxflow.gpu.image;

/**
 * How YUV samples map to RGB: the matrix (BT.601, BT.709 or BT.2020 non-constant luminance) and
 * the range (limited "TV" range 16-235/240, or full range). Streams that do not say which are read
 * the way players do: BT.709 from 720 lines up, BT.601 below, limited range.
 */
public record ColorSpec(Matrix matrix, boolean fullRange) {

    /** The YUV to RGB matrices, by their luma coefficients (Kr, Kb). */
    public enum Matrix {
        BT601(0.299, 0.114),
        BT709(0.2126, 0.0722),
        BT2020(0.2627, 0.0593);

        public final double kr;
        public final double kb;

        Matrix(double kr, double kb) {
            this.kr = kr;
            this.kb = kb;
        }
    }

    public static final ColorSpec BT709_LIMITED = new ColorSpec(Matrix.BT709, false);
    public static final ColorSpec BT601_LIMITED = new ColorSpec(Matrix.BT601, false);

    /** The default for a stream that does not signal its colour: by picture height, as players do. */
    public static ColorSpec defaultFor(int height) {
        return height >= 720 ? BT709_LIMITED : BT601_LIMITED;
    }

    /**
     * Coefficients for {@code R = cy*(Y - yOff) + crv*(V - 128)}, {@code G = cy*(Y - yOff) - cgu*(U -
     * 128) - cgv*(V - 128)}, {@code B = cy*(Y - yOff) + cbu*(U - 128)} on 8-bit samples: {@code {cy,
     * yOff, crv, cgu, cgv, cbu}}. Kernels on both backends take exactly these numbers, so they agree.
     */
    public float[] coefficients() {
        double kr = matrix.kr, kb = matrix.kb, kg = 1.0 - kr - kb;
        double cy = fullRange ? 1.0 : 255.0 / 219.0;
        double cc = fullRange ? 1.0 : 255.0 / 224.0;
        double yOff = fullRange ? 0.0 : 16.0;
        double crv = 2.0 * (1.0 - kr) * cc;
        double cbu = 2.0 * (1.0 - kb) * cc;
        double cgu = 2.0 * (1.0 - kb) * kb / kg * cc;
        double cgv = 2.0 * (1.0 - kr) * kr / kg * cc;
        return new float[] {(float) cy, (float) yOff, (float) crv, (float) cgu, (float) cgv, (float) cbu};
    }
}
