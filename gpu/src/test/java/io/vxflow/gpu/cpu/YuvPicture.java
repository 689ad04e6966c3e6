package io.vxflow.gpu.cpu;

import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A tiny 4:2:0 picture given by its 8-bit sample values, laid out on demand in any of the four YUV
 * formats CpuResize reads. Rows get {@code pad} extra bytes of garbage (0xEE) so a reader that
 * ignores the stride sees wrong values.
 */
final class YuvPicture {
    static final int GARBAGE = 0xEE;
    final int width;
    final int height;
    final int[][] y;
    final int[][] u;
    final int[][] v;
    private final int pad;

    /** @param y luma rows; u, v chroma rows ((height + 1) / 2 rows of (width + 1) / 2) */
    YuvPicture(int[][] y, int[][] u, int[][] v) {
        this(y, u, v, 0);
    }

    private YuvPicture(int[][] y, int[][] u, int[][] v, int pad) {
        this.pad = pad;
        this.height = y.length;
        this.width = y[0].length;
        this.y = y;
        this.u = u;
        this.v = v;
    }

    /** A picture of one colour. */
    static YuvPicture flat(int width, int height, int yv, int uv, int vv) {
        int cw = (width + 1) / 2, ch = (height + 1) / 2;
        return new YuvPicture(fill(width, height, yv), fill(cw, ch, uv), fill(cw, ch, vv));
    }

    /** A picture with the given luma and neutral (128) chroma. */
    static YuvPicture grey(int[][] y) {
        int cw = (y[0].length + 1) / 2, ch = (y.length + 1) / 2;
        return new YuvPicture(y, fill(cw, ch, 128), fill(cw, ch, 128));
    }

    static int[][] fill(int w, int h, int value) {
        int[][] a = new int[h][w];
        for (int[] row : a) {
            java.util.Arrays.fill(row, value);
        }
        return a;
    }

    /** The same picture with {@code bytes} of garbage after every row of every plane. */
    YuvPicture withRowPadding(int bytes) {
        return new YuvPicture(y, u, v, bytes);
    }

    HostImage i420() {
        return planar(PixelFormat.I420, 1, 1);
    }

    /** 10 bits in the low bits: sample * 4. */
    HostImage i420Ten() {
        return planar(PixelFormat.I420_10, 2, 4);
    }

    HostImage nv12() {
        return semiPlanar(PixelFormat.NV12, 1, 1);
    }

    /** 10 bits in the high bits of 16: (sample * 4) << 6 = sample * 256. */
    HostImage p010() {
        return semiPlanar(PixelFormat.P010, 2, 256);
    }

    private HostImage planar(PixelFormat f, int bps, int factor) {
        ByteBuffer yp = plane(y, bps, factor);
        ByteBuffer up = plane(u, bps, factor);
        ByteBuffer vp = plane(v, bps, factor);
        return new HostImage(f, width, height, new ByteBuffer[] {yp, up, vp},
                new int[] {stride(y, bps), stride(u, bps), stride(v, bps)});
    }

    private HostImage semiPlanar(PixelFormat f, int bps, int factor) {
        ByteBuffer yp = plane(y, bps, factor);
        int[][] uv = new int[u.length][2 * u[0].length];
        for (int r = 0; r < u.length; r++) {
            for (int c = 0; c < u[0].length; c++) {
                uv[r][2 * c] = u[r][c];
                uv[r][2 * c + 1] = v[r][c];
            }
        }
        ByteBuffer uvp = plane(uv, bps, factor);
        return new HostImage(f, width, height, new ByteBuffer[] {yp, uvp}, new int[] {stride(y, bps), stride(uv, bps)});
    }

    private int stride(int[][] samples, int bps) {
        return samples[0].length * bps + pad;
    }

    private ByteBuffer plane(int[][] samples, int bps, int factor) {
        int stride = stride(samples, bps);
        ByteBuffer b = ByteBuffer.allocate(stride * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) GARBAGE);
        }
        for (int r = 0; r < samples.length; r++) {
            for (int c = 0; c < samples[r].length; c++) {
                int s = samples[r][c] * factor;
                if (bps == 1) {
                    b.put(r * stride + c, (byte) s);
                } else {
                    b.putShort(r * stride + 2 * c, (short) s);
                }
            }
        }
        return b;
    }

    /** Writes one raw 16-bit luma sample (for 10-bit values that are not a multiple of 4). */
    static void putLuma16(HostImage img, int x, int row, int raw) {
        ByteBuffer b = img.plane(0).duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(row * img.stride(0) + 2 * x, (short) raw);
    }

    /** R, G, B of one pixel of a packed RGB24 image. */
    static int[] rgb(HostImage img, int x, int y) {
        int o = y * img.stride(0) + 3 * x;
        ByteBuffer b = img.plane(0);
        return new int[] {b.get(o) & 0xFF, b.get(o + 1) & 0xFF, b.get(o + 2) & 0xFF};
    }

    /** The R channel of every pixel, as rows (for grey pictures where R = G = B). */
    static int[][] red(HostImage img) {
        int[][] a = new int[img.height()][img.width()];
        for (int yy = 0; yy < img.height(); yy++) {
            for (int x = 0; x < img.width(); x++) {
                a[yy][x] = rgb(img, x, yy)[0];
            }
        }
        return a;
    }

    /** An RGB24 image filled with one byte value, to see which pixels an operation wrote. */
    static HostImage rgbFilled(int width, int height, int value) {
        HostImage img = HostImage.allocateRgb(width, height);
        ByteBuffer b = img.plane(0);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) value);
        }
        return img;
    }
}
