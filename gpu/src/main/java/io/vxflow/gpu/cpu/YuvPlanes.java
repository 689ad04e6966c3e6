package io.vxflow.gpu.cpu;

import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads Y, U and V samples of a 4:2:0 host image on an 8-bit scale (10-bit samples are divided by
 * 4, keeping their fraction), whatever its layout: I420, NV12, I420_10 or P010.
 */
final class YuvPlanes {
    final int width;
    final int height;
    final int chromaWidth;
    final int chromaHeight;
    private final ByteBuffer y;
    private final ByteBuffer u;
    private final ByteBuffer v;
    private final int yStride;
    private final int uStride;
    private final int vStride;
    /** Bytes between horizontally adjacent chroma samples of one component. */
    private final int chromaStep;
    private final int uOffset;
    private final int vOffset;
    private final boolean sixteen;
    private final float scale;

    YuvPlanes(HostImage img) {
        PixelFormat f = img.format();
        if (!f.isYuv()) {
            throw new IllegalArgumentException("expected a YUV 4:2:0 image, got " + f);
        }
        width = img.width();
        height = img.height();
        chromaWidth = (width + 1) / 2;
        chromaHeight = (height + 1) / 2;
        sixteen = f.isTenBit();
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        y = img.plane(0).duplicate().order(order);
        yStride = img.stride(0);
        int bps = f.bytesPerSample();
        if (f.planes() == 3) {
            u = img.plane(1).duplicate().order(order);
            v = img.plane(2).duplicate().order(order);
            uStride = img.stride(1);
            vStride = img.stride(2);
            chromaStep = bps;
            uOffset = 0;
            vOffset = 0;
        } else {
            u = img.plane(1).duplicate().order(order);
            v = u;
            uStride = img.stride(1);
            vStride = uStride;
            chromaStep = 2 * bps;
            uOffset = 0;
            vOffset = bps;
        }
        // I420_10 holds 10 bits in the low bits, P010 in the high bits of each 16-bit sample.
        scale = f == PixelFormat.I420_10 ? 0.25f : f == PixelFormat.P010 ? 1f / 256f : 1f;
    }

    float luma(int x, int row) {
        int i = row * yStride + x * (sixteen ? 2 : 1);
        return sixteen ? (y.getShort(i) & 0xFFFF) * scale : (y.get(i) & 0xFF);
    }

    float u(int cx, int crow) {
        int i = crow * uStride + cx * chromaStep + uOffset;
        return sixteen ? (u.getShort(i) & 0xFFFF) * scale : (u.get(i) & 0xFF);
    }

    float v(int cx, int crow) {
        int i = crow * vStride + cx * chromaStep + vOffset;
        return sixteen ? (v.getShort(i) & 0xFFFF) * scale : (v.get(i) & 0xFF);
    }
}
