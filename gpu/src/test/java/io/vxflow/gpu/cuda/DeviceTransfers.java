package io.vxflow.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.*;

import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;

/** Test-only uploads and downloads between host images and device buffers of a context. */
final class DeviceTransfers {
    private DeviceTransfers() {}

    /** Uploads a host image (any layout) into new device buffers with the same pitches. */
    static DeviceImage upload(GpuContext ctx, HostImage img) {
        int planes = img.format().planes();
        long[] ptrs = new long[planes];
        int[] pitches = new int[planes];
        for (int p = 0; p < planes; p++) {
            int rows = p == 0 || img.format() == PixelFormat.RGB24 ? img.height() : (img.height() + 1) / 2;
            long bytes = (long) img.stride(p) * rows;
            DeviceBuffer b = ctx.allocate(bytes, "test upload");
            byte[] data = new byte[(int) bytes];
            img.plane(p).duplicate().clear().get(data, 0, (int) Math.min(bytes, img.plane(p).capacity()));
            try (BytePointer host = new BytePointer(data)) {
                Cuda.check(cuMemcpyHtoD(b.address(), host, bytes), "cuMemcpyHtoD");
            }
            ptrs[p] = b.address();
            pitches[p] = img.stride(p);
        }
        return new DeviceImage(img.format(), img.width(), img.height(), ptrs, pitches);
    }

    static DeviceImage rgb(GpuContext ctx, int w, int h) {
        DeviceBuffer b = ctx.allocate(3L * w * h, "test rgb");
        Cuda.check(cuMemsetD8(b.address(), (byte) 0, b.size()), "cuMemsetD8");
        return new DeviceImage(PixelFormat.RGB24, w, h, new long[] {b.address()}, new int[] {3 * w});
    }

    static byte[] download(GpuContext ctx, long device, long bytes) {
        ctx.synchronize();
        byte[] out = new byte[(int) bytes];
        try (BytePointer host = new BytePointer(bytes)) {
            Cuda.check(cuMemcpyDtoH(host, device, bytes), "cuMemcpyDtoH");
            host.get(out);
        }
        return out;
    }

    static float[] downloadFloats(GpuContext ctx, long device, int count) {
        ByteBuffer b = ByteBuffer.wrap(download(ctx, device, 4L * count)).order(java.nio.ByteOrder.nativeOrder());
        float[] out = new float[count];
        b.asFloatBuffer().get(out);
        return out;
    }

    static void uploadFloats(GpuContext ctx, long device, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.nativeOrder());
        b.asFloatBuffer().put(values);
        try (BytePointer host = new BytePointer(b.array())) {
            Cuda.check(cuMemcpyHtoD(device, host, 4L * values.length), "cuMemcpyHtoD");
        }
    }

    static HostImage rgbHost(byte[] rgb, int w, int h) {
        return new HostImage(PixelFormat.RGB24, w, h, new ByteBuffer[] {ByteBuffer.wrap(rgb)}, new int[] {3 * w});
    }

    /** I420 host image to NV12 (interleaved chroma), on the host. */
    static HostImage toNv12(HostImage i420) {
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
