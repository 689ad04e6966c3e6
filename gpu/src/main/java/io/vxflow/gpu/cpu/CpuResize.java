package io.vxflow.gpu.cpu;

import io.vxflow.gpu.geometry.Rect;
import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;

/**
 * The CPU reference for YUV 4:2:0 to RGB conversion with bilinear resampling: reads a region of a
 * decoded frame and writes packed RGB24 into a region of another image. Resize, ROI crop and mosaic
 * tiles are all this one operation.
 *
 * <p>Sampling convention (the GPU kernel implements exactly this):
 *
 * <ul>
 *   <li>destination pixel (i, j) samples source point {@code sx = roi.x + (i + 0.5) * roi.w / dw -
 *       0.5}, {@code sy = roi.y + (j + 0.5) * roi.h / dh - 0.5} (pixel centres aligned, as
 *       OpenCV's INTER_LINEAR); no antialiasing when shrinking;
 *   <li>chroma follows H.264/HEVC's default siting (type 0): co-sited horizontally, centred
 *       vertically: {@code cx = sx / 2}, {@code cy = (sy + 0.5) / 2 - 0.5};
 *   <li>taps outside the picture are clamped to its edge;
 *   <li>interpolation is {@code lerp(a, b, f) = a + (b - a) * f} in float32, rows first then
 *       columns; colour conversion uses {@link ColorSpec#coefficients()}; results are rounded half
 *       up and clamped to 0..255.
 * </ul>
 *
 * <p>Limitations: 4:2:0 input only (I420, NV12, I420_10, P010); RGB24 output only. Owns per-size
 * lookup tables and nothing else; not thread-safe.
 */
public final class CpuResize {
    private int[] x0 = new int[0], x1 = new int[0], cx0 = new int[0], cx1 = new int[0];
    private float[] fx = new float[0], cfx = new float[0];

    /** Resizes the whole frame into the whole destination. */
    public void run(HostImage src, ColorSpec color, HostImage dst) {
        run(src, color, Rect.ofSize(src.width(), src.height()), dst, 0, 0, dst.width(), dst.height());
    }

    /**
     * Samples {@code roi} of {@code src} into the {@code dw} x {@code dh} region of {@code dst} at
     * ({@code dx}, {@code dy}).
     */
    public void run(HostImage src, ColorSpec color, Rect roi, HostImage dst, int dx, int dy, int dw, int dh) {
        if (dst.format() != PixelFormat.RGB24) {
            throw new IllegalArgumentException("destination must be RGB24, got " + dst.format());
        }
        if (dx < 0 || dy < 0 || dw <= 0 || dh <= 0 || dx + dw > dst.width() || dy + dh > dst.height()) {
            throw new IllegalArgumentException("destination region " + dw + "x" + dh + "+" + dx + "+" + dy
                    + " is outside " + dst.width() + "x" + dst.height());
        }
        YuvPlanes yuv = new YuvPlanes(src);
        float[] k = color.coefficients();
        float cy = k[0], yOff = k[1], crv = k[2], cgu = k[3], cgv = k[4], cbu = k[5];
        columnTaps(roi, dw, yuv);
        float sxScale = roi.w() / dw, syScale = roi.h() / dh;
        ByteBuffer out = dst.plane(0);
        int outStride = dst.stride(0);
        for (int j = 0; j < dh; j++) {
            float sy = roi.y() + (j + 0.5f) * syScale - 0.5f;
            int ly = (int) Math.floor(sy);
            float fy = sy - ly;
            int y0 = clamp(ly, yuv.height), y1 = clamp(ly + 1, yuv.height);
            float csy = (sy + 0.5f) * 0.5f - 0.5f;
            int lcy = (int) Math.floor(csy);
            float cfy = csy - lcy;
            int cy0 = clamp(lcy, yuv.chromaHeight), cy1 = clamp(lcy + 1, yuv.chromaHeight);
            int o = (dy + j) * outStride + dx * 3;
            for (int i = 0; i < dw; i++) {
                float lum = bilerp(yuv.luma(x0[i], y0), yuv.luma(x1[i], y0), yuv.luma(x0[i], y1), yuv.luma(x1[i], y1), fx[i], fy);
                float u = bilerp(yuv.u(cx0[i], cy0), yuv.u(cx1[i], cy0), yuv.u(cx0[i], cy1), yuv.u(cx1[i], cy1), cfx[i], cfy);
                float v = bilerp(yuv.v(cx0[i], cy0), yuv.v(cx1[i], cy0), yuv.v(cx0[i], cy1), yuv.v(cx1[i], cy1), cfx[i], cfy);
                float yy = cy * (lum - yOff);
                float uu = u - 128f, vv = v - 128f;
                out.put(o, toByte(yy + crv * vv));
                out.put(o + 1, toByte(yy - cgu * uu - cgv * vv));
                out.put(o + 2, toByte(yy + cbu * uu));
                o += 3;
            }
        }
    }

    private void columnTaps(Rect roi, int dw, YuvPlanes yuv) {
        if (x0.length < dw) {
            x0 = new int[dw];
            x1 = new int[dw];
            cx0 = new int[dw];
            cx1 = new int[dw];
            fx = new float[dw];
            cfx = new float[dw];
        }
        float sxScale = roi.w() / dw;
        for (int i = 0; i < dw; i++) {
            float sx = roi.x() + (i + 0.5f) * sxScale - 0.5f;
            int lx = (int) Math.floor(sx);
            fx[i] = sx - lx;
            x0[i] = clamp(lx, yuv.width);
            x1[i] = clamp(lx + 1, yuv.width);
            float csx = sx * 0.5f;
            int lcx = (int) Math.floor(csx);
            cfx[i] = csx - lcx;
            cx0[i] = clamp(lcx, yuv.chromaWidth);
            cx1[i] = clamp(lcx + 1, yuv.chromaWidth);
        }
    }

    static float lerp(float a, float b, float f) {
        return a + (b - a) * f;
    }

    static float bilerp(float a, float b, float c, float d, float fx, float fy) {
        return lerp(lerp(a, b, fx), lerp(c, d, fx), fy);
    }

    static int clamp(int v, int size) {
        return v < 0 ? 0 : (v >= size ? size - 1 : v);
    }

    /** Round half up and clamp to 0..255. */
    static byte toByte(float v) {
        int r = (int) Math.floor(v + 0.5f);
        return (byte) (r < 0 ? 0 : (r > 255 ? 255 : r));
    }
}
