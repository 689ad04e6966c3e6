package io.vxflow.gpu.cpu;

import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import io.vxflow.gpu.ops.NormalizeSpec;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * The CPU reference normalize: packed RGB24 to planar float32 {@code [3][H][W]}, each value {@code
 * byte * scale[c] + bias[c]} (see {@link NormalizeSpec}), written into one item of a batch tensor.
 * Owns nothing.
 */
public final class CpuNormalize {
    private final float[] scale;
    private final float[] bias;
    private final int[] source;

    public CpuNormalize(NormalizeSpec spec) {
        this.scale = spec.scale();
        this.bias = spec.bias();
        this.source = new int[] {spec.source(0), spec.source(1), spec.source(2)};
    }

    /** @param dst a view of exactly {@code 3 * W * H} floats, e.g. {@code HostTensor.item(i)} */
    public void run(HostImage rgb, FloatBuffer dst) {
        if (rgb.format() != PixelFormat.RGB24) {
            throw new IllegalArgumentException("normalize reads RGB24, got " + rgb.format());
        }
        int w = rgb.width(), h = rgb.height(), plane = w * h;
        if (dst.remaining() != 3 * plane) {
            throw new IllegalArgumentException("tensor item holds " + dst.remaining() + " floats, image needs " + 3 * plane);
        }
        ByteBuffer in = rgb.plane(0);
        int stride = rgb.stride(0), base = dst.position();
        for (int y = 0; y < h; y++) {
            int row = y * stride;
            int o = base + y * w;
            for (int x = 0; x < w; x++) {
                int p = row + x * 3;
                for (int c = 0; c < 3; c++) {
                    dst.put(o + c * plane + x, (in.get(p + source[c]) & 0xFF) * scale[c] + bias[c]);
                }
            }
        }
    }
}
