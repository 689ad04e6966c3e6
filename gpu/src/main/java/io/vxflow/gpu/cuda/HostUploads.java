package io.vxflow.gpu.cuda;

import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;

/**
 * Synchronous uploads of whole host images into new device buffers of a context, for benchmarks and
 * tests (the pipeline itself never uploads pixels except in the NVDEC fallback).
 */
public final class HostUploads {
    private HostUploads() {}

    /** A device copy of {@code img} with the same layout and pitches. */
    public static DeviceImage upload(GpuContext ctx, HostImage img) {
        int planes = img.format().planes();
        long[] ptrs = new long[planes];
        int[] pitches = new int[planes];
        ctx.makeCurrent();
        for (int p = 0; p < planes; p++) {
            int rows = p == 0 || img.format() == PixelFormat.RGB24 ? img.height() : (img.height() + 1) / 2;
            ByteBuffer src = img.plane(p).duplicate().clear();
            long bytes = Math.min((long) img.stride(p) * rows, src.capacity());
            DeviceBuffer b = ctx.allocate(bytes, "upload");
            byte[] data = new byte[(int) bytes];
            src.get(data);
            try (BytePointer host = new BytePointer(data)) {
                ctx.copyToDevice(b.address(), host, bytes);
            }
            ptrs[p] = b.address();
            pitches[p] = img.stride(p);
        }
        return new DeviceImage(img.format(), img.width(), img.height(), ptrs, pitches);
    }

    /** An I420 host image as NV12 (chroma interleaved), on the host. */
    public static HostImage toNv12(HostImage i420) {
        int w = i420.width(), h = i420.height(), cw = (w + 1) / 2, ch = (h + 1) / 2;
        ByteBuffer y = ByteBuffer.allocate(w * h), uv = ByteBuffer.allocate(2 * cw * ch);
        for (int r = 0; r < h; r++) {
            for (int x = 0; x < w; x++) {
                y.put(r * w + x, i420.plane(0).get(r * i420.stride(0) + x));
            }
        }
        for (int r = 0; r < ch; r++) {
            for (int x = 0; x < cw; x++) {
                uv.put(r * 2 * cw + 2 * x, i420.plane(1).get(r * i420.stride(1) + x));
                uv.put(r * 2 * cw + 2 * x + 1, i420.plane(2).get(r * i420.stride(2) + x));
            }
        }
        return new HostImage(PixelFormat.NV12, w, h, new ByteBuffer[] {y, uv}, new int[] {w, 2 * cw});
    }
}
