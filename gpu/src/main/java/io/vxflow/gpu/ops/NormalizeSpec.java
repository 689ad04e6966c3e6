package io.vxflow.gpu.ops;

import java.util.Arrays;

/**
 * How RGB bytes become model input: {@code out[c] = (in[c] / 255 - mean[c]) / std[c]}, planar, in
 * the channel order the model wants. Both backends evaluate it as {@code in * scale[c] + bias[c]}
 * with the float32 constants from {@link #scale()} and {@link #bias()}.
 */
public record NormalizeSpec(float[] mean, float[] std, boolean bgr) implements java.io.Serializable {
    /** Pixels / 255, no mean or std: what YOLO-family detectors take. */
    public static final NormalizeSpec UNIT = new NormalizeSpec(new float[] {0, 0, 0}, new float[] {1, 1, 1}, false);
    /** The ImageNet statistics torchvision classifiers take. */
    public static final NormalizeSpec IMAGENET =
            new NormalizeSpec(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, false);

    public NormalizeSpec {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values each");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive: " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Per output channel: the factor applied to the byte value. */
    public float[] scale() {
        float[] s = new float[3];
        for (int c = 0; c < 3; c++) {
            s[c] = (float) (1.0 / (255.0 * std[source(c)]));
        }
        return s;
    }

    /** Per output channel: the offset added after scaling. */
    public float[] bias() {
        float[] b = new float[3];
        for (int c = 0; c < 3; c++) {
            b[c] = (float) (-mean[source(c)] / (double) std[source(c)]);
        }
        return b;
    }

    /** Which RGB byte feeds output channel {@code c}. */
    public int source(int c) {
        return bgr ? 2 - c : c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NormalizeSpec n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std) && bgr == n.bgr;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std) + (bgr ? 1 : 0);
    }
}
